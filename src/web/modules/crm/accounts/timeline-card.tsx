import { ReloadOutlined, CalendarOutlined, FileTextOutlined, MailOutlined, PhoneOutlined, PlusOutlined, ScheduleOutlined, TeamOutlined, CarOutlined, FlagOutlined } from '@ant-design/icons';
import { useInfiniteQuery } from '@tanstack/react-query';
import { App, type ButtonProps, Button, Card, DatePicker, Empty, Form, Input, Modal, Select, Space, Tag, Timeline, Typography } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { type ReactNode, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import type { Activity, TimelinePage, TimelineSubjectType } from '../../../../server/modules/crm/activity-contract.ts';
import { ACTIVITY_KINDS } from '../../../../server/modules/crm/activity.ts';
import { LoadMore } from '../../../components/load-more.tsx';
import { ProblemAlert } from '../../../components/problem-alert.tsx';
import { api } from '../../../http/api-client.ts';
import { ApiProblem, type FieldError } from '../../../http/api-problem.ts';
import { applyProblemToForm } from '../../../http/form-errors.ts';
import { formatDateTime } from '../../../i18n/date-format.ts';
import { useLocale } from '../../../i18n/use-locale.ts';
import { useSession } from '../../org/auth/use-session.ts';
import { useContacts, useRefreshAccount } from './accounts-queries.ts';
import { moneyText } from './money-text.ts';
import { timelineLine } from './timeline-lines.ts';

type ActivityKind = Activity['kind'];
const ICONS: Record<ActivityKind, ReactNode> = {
  call: <PhoneOutlined />,
  meeting: <TeamOutlined />,
  visit: <CarOutlined />,
  email: <MailOutlined />,
  note: <FileTextOutlined />,
  task: <ScheduleOutlined />,
};

const timelineKey = (subjectType: TimelineSubjectType, subjectId: string) => ['crm', 'timeline', subjectType, subjectId] as const;

/** What happened with an account or a contact, newest first; activities are logged from here. */
export function TimelineCard({ subjectType, subjectId, accountId, canLog }: { subjectType: TimelineSubjectType; subjectId: string; accountId: string; canLog: boolean }) {
  const { t } = useTranslation(['crm', 'common']);
  const locale = useLocale();
  const session = useSession();
  const [logging, setLogging] = useState(false);
  const timeline = useInfiniteQuery({
    queryKey: timelineKey(subjectType, subjectId),
    queryFn: ({ pageParam, signal }) => api.get<TimelinePage>('/api/v1/crm/timeline', { subjectType, subjectId, cursor: pageParam, limit: 30 }, signal),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const entries = timeline.data?.pages.flatMap((p) => p.items) ?? [];
  const missing = timeline.error instanceof ApiProblem && timeline.error.status === 404 && timeline.error.code === 'platform.not_found' && !timeline.data;

  return (
    <Card
      title={t('timeline.title')}
      data-testid="timeline"
      extra={
        <Space>
          <Button icon={<ReloadOutlined />} onClick={() => void timeline.refetch()} loading={timeline.isRefetching} aria-label={t('common:actions.refresh')} data-testid="timeline-refresh" />
          {canLog && (
            <Button icon={<PlusOutlined />} onClick={() => setLogging(true)} data-testid="timeline-log">
              {t('timeline.log')}
            </Button>
          )}
        </Space>
      }
    >
      {timeline.error instanceof ApiProblem && !missing && <ProblemAlert problem={timeline.error} />}
      {missing && <Typography.Text type="secondary">{t('timeline.unavailable')}</Typography.Text>}
      {!timeline.isPending && entries.length === 0 && !timeline.error && <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('timeline.empty')} />}
      {entries.length > 0 && (
        <Timeline
          style={{ marginTop: 8 }}
          items={entries.map((e) => {
            const line = timelineLine(e);
            const icon = line.activityKind && line.activityKind in ICONS ? ICONS[line.activityKind as ActivityKind] : line.eventKey === 'activity' ? <CalendarOutlined /> : <FlagOutlined />;
            return {
              key: e.id,
              icon,
              title: formatDateTime(e.occurredAt, locale, session.user.timeZone),
              content: (
                <div data-testid="timeline-entry" data-kind={e.kind}>
                  <Space size={6} wrap>
                    <Tag>{line.activityKind ? t(`timeline.kinds.${line.activityKind as ActivityKind}`) : t(`timeline.events.${line.eventKey as 'other'}`)}</Tag>
                    <Typography.Text strong data-testid="timeline-text">
                      {line.text}
                    </Typography.Text>
                    {line.stages && (
                      <Typography.Text type="secondary">
                        {line.stages.from ?? '∅'} → {line.stages.to ?? '∅'}
                      </Typography.Text>
                    )}
                    {line.amount && <Typography.Text>{moneyText(line.amount)}</Typography.Text>}
                  </Space>
                  <div style={{ fontSize: 12, opacity: 0.7 }}>
                    {line.actor && <span>{t('timeline.by', { name: line.actor })} </span>}
                    {line.contacts.map((c) => (
                      <Link key={c.id} to={`/crm/contacts/${c.id}`} style={{ marginInlineEnd: 6 }}>
                        {c.name}
                      </Link>
                    ))}
                  </div>
                </div>
              ),
            };
          })}
        />
      )}
      <LoadMore loaded={entries.length} hasMore={!!timeline.hasNextPage} loading={timeline.isFetchingNextPage} onLoadMore={() => void timeline.fetchNextPage()} testId="timeline-load-more" />
      {logging && (
        <LogActivityModal
          accountId={accountId}
          contactId={subjectType === 'contact' ? subjectId : undefined}
          onClose={() => setLogging(false)}
          onLogged={() => {
            // The timeline is a read model fed from the event outbox: the new entry lands a moment after the write.
            void timeline.refetch();
            window.setTimeout(() => void timeline.refetch(), 1500);
          }}
        />
      )}
    </Card>
  );
}

interface ActivityFormValues {
  kind: ActivityKind;
  subject: string;
  body?: string;
  at?: Dayjs | null;
  contactIds?: string[];
}

/** Log a call, meeting, visit, email or note (when it happened), or a task (when it is due). */
function LogActivityModal({ accountId, contactId, onClose, onLogged }: { accountId: string; contactId: string | undefined; onClose: () => void; onLogged: () => void }) {
  const { t } = useTranslation(['crm', 'common']);
  const { message } = App.useApp();
  const refresh = useRefreshAccount();
  const contacts = useContacts(accountId);
  const [form] = Form.useForm<ActivityFormValues>();
  const kind = Form.useWatch('kind', form) ?? 'call';
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const [unmatched, setUnmatched] = useState<FieldError[]>([]);
  const [saving, setSaving] = useState(false);

  const save = async () => {
    let v: ActivityFormValues;
    try {
      v = await form.validateFields();
    } catch {
      return;
    }
    setSaving(true);
    setProblem(null);
    try {
      const at = v.at ? v.at.toDate().toISOString() : undefined;
      await api.create<Activity>('/api/v1/crm/activities', {
        kind: v.kind,
        subject: v.subject.trim(),
        ...(v.body?.trim() ? { body: v.body.trim() } : {}),
        ...(at ? (v.kind === 'task' ? { dueAt: at } : { occurredAt: at }) : {}),
        accountId,
        contactIds: v.contactIds ?? [],
      });
      void message.success(t('timeline.logged'));
      refresh(accountId);
      onLogged();
      onClose();
    } catch (err) {
      if (!(err instanceof ApiProblem)) throw err;
      setProblem(err);
      const errors = applyProblemToForm(form, err, ['kind', 'subject', 'body', 'contactIds']);
      setUnmatched(errors);
    } finally {
      setSaving(false);
    }
  };

  return (
    <Modal
      open
      title={t('timeline.logTitle')}
      onCancel={onClose}
      onOk={() => void save()}
      okText={t('common:actions.save')}
      cancelText={t('common:actions.cancel')}
      confirmLoading={saving}
      okButtonProps={{ 'data-testid': 'activity-form-submit' } as ButtonProps}
      data-testid="activity-form-modal"
      destroyOnHidden
    >
      <ProblemAlert problem={problem} unmatched={unmatched} />
      <Form<ActivityFormValues> form={form} layout="vertical" initialValues={{ kind: 'call', at: dayjs(), contactIds: contactId ? [contactId] : [] }}>
        <Form.Item name="kind" label={t('timeline.kind')}>
          <Select options={ACTIVITY_KINDS.map((k) => ({ value: k, label: t(`timeline.kinds.${k}`) }))} data-testid="activity-form-kind" />
        </Form.Item>
        <Form.Item name="subject" label={t('timeline.subject')} rules={[{ required: true, message: t('form.required') }]}>
          <Input data-testid="activity-form-subject" />
        </Form.Item>
        <Form.Item name="at" label={kind === 'task' ? t('timeline.dueAt') : t('timeline.occurredAt')}>
          <DatePicker showTime style={{ width: '100%' }} data-testid="activity-form-at" />
        </Form.Item>
        <Form.Item name="contactIds" label={t('timeline.contacts')}>
          <Select
            mode="multiple"
            showSearch={{ optionFilterProp: 'label' }}
            options={(contacts.data?.items ?? []).map((c) => ({ value: c.id, label: c.name }))}
            data-testid="activity-form-contacts"
          />
        </Form.Item>
        <Form.Item name="body" label={t('timeline.body')}>
          <Input.TextArea rows={4} data-testid="activity-form-body" />
        </Form.Item>
      </Form>
    </Modal>
  );
}
