import { RedoOutlined } from '@ant-design/icons';
import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { App, Button, Card, Segmented, Table, Tag, Tooltip, Typography, type TableProps } from 'antd';
import type { HTMLAttributes } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router-dom';
import { ApiProblem } from '../../../http/api-problem.ts';
import { LoadMore } from '../../../components/load-more.tsx';
import { PageHeader } from '../../../components/page-header.tsx';
import { ProblemAlert } from '../../../components/problem-alert.tsx';
import { useShowProblem } from '../../../components/use-show-problem.ts';
import { formatDateTime } from '../../../i18n/date-format.ts';
import { useLocale } from '../../../i18n/use-locale.ts';
import { useSession } from '../../org/auth/use-session.ts';
import { type OutboxDeliveryRow, type OutboxStatus, platformApi, platformKeys } from '../platform-api.ts';

const STATUSES: OutboxStatus[] = ['pending', 'delivered', 'dead'];
const STATUS_COLORS: Record<OutboxStatus, string> = { pending: 'processing', delivered: 'success', dead: 'error' };

/** Event deliveries (admins): each event × handler, its state and last error; failed ones can be retried. */
export function OutboxPage() {
  const { t } = useTranslation('admin');
  const locale = useLocale();
  const { user } = useSession();
  const { message } = App.useApp();
  const showProblem = useShowProblem();
  const queryClient = useQueryClient();
  const [params, setParams] = useSearchParams();
  const raw = params.get('status');
  const status = STATUSES.find((s) => s === raw);

  const list = useInfiniteQuery({
    queryKey: platformKeys.outbox(status),
    queryFn: ({ pageParam, signal }) => platformApi.outbox(status, pageParam, 50, signal),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const rows = list.data?.pages.flatMap((p) => p.items) ?? [];

  const retry = useMutation({
    mutationFn: (row: OutboxDeliveryRow) => platformApi.retry(row.eventId, row.handler),
    onSuccess: () => {
      void message.success(t('outbox.retried'));
      void queryClient.invalidateQueries({ queryKey: ['platform', 'outbox'] });
    },
    onError: showProblem,
  });

  const time = (iso: string) => <span style={{ whiteSpace: 'nowrap' }}>{formatDateTime(iso, locale, user.timeZone)}</span>;
  const columns: TableProps<OutboxDeliveryRow>['columns'] = [
    { key: 'occurredAt', title: t('outbox.occurredAt'), width: 170, render: (_, r) => time(r.occurredAt) },
    { key: 'eventType', title: t('outbox.eventType'), render: (_, r) => <code>{r.eventType}</code> },
    {
      key: 'aggregate',
      title: t('outbox.aggregate'),
      render: (_, r) => (
        <span title={r.aggregateId}>
          {r.aggregateType} · {r.aggregateId.slice(0, 8)}…
        </span>
      ),
    },
    { key: 'handler', title: t('outbox.handler'), render: (_, r) => <code>{r.handler}</code> },
    {
      key: 'status',
      title: t('outbox.status'),
      width: 100,
      render: (_, r) => (
        <Tag color={STATUS_COLORS[r.status]} data-testid="outbox-status">
          {t(`outbox.statuses.${r.status}`)}
        </Tag>
      ),
    },
    { key: 'attempts', title: t('outbox.attempts'), width: 90, align: 'right', dataIndex: 'attempts' },
    { key: 'next', title: t('outbox.nextAttemptAt'), width: 170, render: (_, r) => (r.status === 'delivered' ? '—' : time(r.nextAttemptAt)) },
    {
      key: 'lastError',
      title: t('outbox.lastError'),
      ellipsis: true,
      render: (_, r) =>
        r.lastError ? (
          <Tooltip title={r.lastError}>
            <Typography.Text type="danger">{r.lastError}</Typography.Text>
          </Tooltip>
        ) : (
          '—'
        ),
    },
    {
      key: 'actions',
      width: 120,
      render: (_, r) =>
        r.status !== 'delivered' && (
          <Button
            size="small"
            icon={<RedoOutlined />}
            loading={retry.isPending && retry.variables?.eventId === r.eventId && retry.variables.handler === r.handler}
            onClick={() => retry.mutate(r)}
            data-testid="outbox-retry"
          >
            {t('outbox.retry')}
          </Button>
        ),
    },
  ];

  return (
    <div data-testid="outbox-page">
      <PageHeader title={t('outbox.title')} subtitle={t('outbox.subtitle')} />
      <Card>
        <Segmented
          value={status ?? 'all'}
          onChange={(v) => setParams(v === 'all' ? {} : { status: String(v) }, { replace: true })}
          options={(['all', ...STATUSES] as const).map((s) => ({ value: s, label: t(`outbox.statuses.${s}`) }))}
          style={{ marginBottom: 16 }}
          data-testid="outbox-status-filter"
        />
        {list.error instanceof ApiProblem && <ProblemAlert problem={list.error} />}
        <Table<OutboxDeliveryRow>
          rowKey={(r) => `${r.eventId}:${r.handler}`}
          columns={columns}
          dataSource={rows}
          loading={list.isPending && !list.error}
          pagination={false}
          size="middle"
          scroll={{ x: 1100 }}
          locale={{ emptyText: t('outbox.empty') }}
          data-testid="outbox-table"
          onRow={(r) => ({ 'data-testid': 'outbox-row', 'data-status': r.status }) as HTMLAttributes<HTMLElement>}
        />
        <LoadMore loaded={rows.length} hasMore={!!list.hasNextPage} loading={list.isFetchingNextPage} onLoadMore={() => void list.fetchNextPage()} testId="outbox-load-more" />
      </Card>
    </div>
  );
}
