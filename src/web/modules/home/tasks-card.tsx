import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Button, Card, Empty, List, Segmented, Skeleton, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import type { Activity, ActivityPage } from '../../../server/modules/crm/activity-contract.ts';
import { useShowProblem } from '../../components/use-show-problem.ts';
import { api } from '../../http/api-client.ts';
import { formatDateTime } from '../../i18n/date-format.ts';
import { useLocale } from '../../i18n/use-locale.ts';
import { useSession } from '../org/auth/use-session.ts';

type Show = 'open' | 'done';

const tasksKey = (userId: string, show: Show) => ['home', 'tasks', userId, show] as const;

/**
 * The user's own tasks: open ones soonest due first (overdue marked), each marked done here; done
 * ones newest first, each reopened here (a task completed by mistake).
 */
export function TasksCard() {
  const { t } = useTranslation('home');
  const locale = useLocale();
  const { user } = useSession();
  const client = useQueryClient();
  const showProblem = useShowProblem();
  const [show, setShow] = useState<Show>('open');
  const tasks = useQuery({
    queryKey: tasksKey(user.id, show),
    queryFn: ({ signal }) =>
      api.get<ActivityPage>(
        '/api/v1/crm/activities',
        show === 'open' ? { openTasks: 'true', ownerId: user.id, limit: 10 } : { kind: 'task', ownerId: user.id, limit: 30 },
        signal,
      ),
  });
  const toggle = useMutation({
    mutationFn: (a: Activity) => api.post<Activity>(`/api/v1/crm/activities/${a.id}/${a.doneAt ? 'reopen' : 'complete'}`, { version: a.version }),
    onSuccess: () => client.invalidateQueries({ queryKey: ['home', 'tasks', user.id] }),
    onError: showProblem,
  });
  const now = new Date().getTime();
  const items = (tasks.data?.items ?? []).filter((a) => (show === 'open' ? a.doneAt === null : a.doneAt !== null)).slice(0, 10);

  return (
    <Card
      title={t('tasks.title')}
      extra={
        <Segmented<Show>
          size="small"
          value={show}
          onChange={setShow}
          options={[
            { value: 'open', label: t('tasks.open') },
            { value: 'done', label: t('tasks.done') },
          ]}
          data-testid="home-tasks-show"
        />
      }
      data-testid="home-card-tasks"
    >
      {tasks.isPending ? (
        <Skeleton active paragraph={{ rows: 3 }} />
      ) : items.length === 0 ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={show === 'open' ? t('tasks.emptyOpen') : t('tasks.emptyDone')} />
      ) : (
        <List
          size="small"
          dataSource={items}
          renderItem={(a) => {
            const overdue = a.doneAt === null && a.dueAt !== null && Date.parse(a.dueAt) < now;
            return (
              <List.Item
                data-testid="home-task"
                data-task-id={a.id}
                actions={[
                  <Button key="toggle" size="small" loading={toggle.isPending && toggle.variables?.id === a.id} onClick={() => toggle.mutate(a)} data-testid="home-task-toggle">
                    {a.doneAt ? t('tasks.reopen') : t('tasks.markDone')}
                  </Button>,
                ]}
              >
                <List.Item.Meta
                  title={<span data-testid="home-task-subject">{a.subject}</span>}
                  description={
                    <span>
                      <Link to={`/crm/accounts/${a.accountId}`}>{a.accountName}</Link>
                      {' · '}
                      {a.doneAt ? (
                        <Typography.Text type="secondary">{t('tasks.doneAt', { at: formatDateTime(a.doneAt, locale, user.timeZone) })}</Typography.Text>
                      ) : (
                        <Typography.Text type={overdue ? 'danger' : 'secondary'}>{t('tasks.dueAt', { at: formatDateTime(a.dueAt, locale, user.timeZone) })}</Typography.Text>
                      )}
                      {overdue && (
                        <Tag color="red" style={{ marginInlineStart: 8 }}>
                          {t('tasks.overdue')}
                        </Tag>
                      )}
                    </span>
                  }
                />
              </List.Item>
            );
          }}
        />
      )}
    </Card>
  );
}
