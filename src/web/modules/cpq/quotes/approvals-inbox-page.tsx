import { Segmented, Select, Space, Table, Tag } from 'antd';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useSearchParams } from 'react-router-dom';
import { APPROVAL_REQUEST_STATUS_VALUES, type ApprovalRequest } from '../../../../server/modules/quotes/approval-contract.ts';
import { LoadMore } from '../../../components/load-more.tsx';
import { PageHeader } from '../../../components/page-header.tsx';
import { ProblemAlert } from '../../../components/problem-alert.tsx';
import { ApiProblem } from '../../../http/api-problem.ts';
import { formatDateTime } from '../../../i18n/date-format.ts';
import { useLocale } from '../../../i18n/use-locale.ts';
import { useSession } from '../../org/auth/use-session.ts';
import { formatMoney } from '../../crm/pipeline/money-display.ts';
import { ApprovalStatusTag } from './quote-badges.tsx';
import { elapsedParts, formatPercent } from './quote-format.ts';
import type { ApprovalFilters } from './quotes-api.ts';
import { useApprovalList } from './quotes-queries.ts';

type Status = ApprovalRequest['status'];

/** /quotes/approvals — the requests waiting for me (default), or every request I can see by status. */
export function ApprovalsInboxPage() {
  const { t } = useTranslation('cpq-quotes');
  const locale = useLocale();
  const session = useSession();
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const view = params.get('view') === 'all' ? 'all' : 'mine';
  const status = (APPROVAL_REQUEST_STATUS_VALUES as readonly string[]).includes(params.get('status') ?? '') ? (params.get('status') as Status) : undefined;
  const filters: ApprovalFilters = useMemo(() => (view === 'mine' ? { status: 'pending', mine: true } : { ...(status ? { status } : {}) }), [view, status]);
  const list = useApprovalList(filters);
  const rows = useMemo(() => list.data?.pages.flatMap((p) => p.items) ?? [], [list.data]);
  const now = new Date();

  return (
    <div data-testid="approvals-inbox">
      <PageHeader title={t('approvals.inboxTitle')} subtitle={t('approvals.inboxSubtitle')} />
      <Space wrap style={{ marginBottom: 16 }}>
        <Segmented<'mine' | 'all'>
          value={view}
          onChange={(v) => setParams(v === 'all' ? { view: 'all' } : {}, { replace: true })}
          options={[
            { value: 'mine', label: t('approvals.waitingForMe') },
            { value: 'all', label: t('approvals.allVisible') },
          ]}
          data-testid="approvals-view"
        />
        {view === 'all' && (
          <Select<Status | ''>
            value={status ?? ''}
            onChange={(v) => setParams(v ? { view: 'all', status: v } : { view: 'all' }, { replace: true })}
            style={{ width: 180 }}
            options={[{ value: '', label: t('approvals.anyStatus') }, ...APPROVAL_REQUEST_STATUS_VALUES.map((s) => ({ value: s, label: t(`statuses.approval.${s}`) }))]}
            data-testid="approvals-status"
          />
        )}
      </Space>
      {list.error instanceof ApiProblem && <ProblemAlert problem={list.error} />}
      <Table<ApprovalRequest>
        rowKey="id"
        dataSource={rows}
        loading={list.isPending}
        pagination={false}
        size="middle"
        locale={{ emptyText: view === 'mine' ? t('approvals.inboxEmpty') : t('approvals.empty') }}
        onRow={(r) => ({ onDoubleClick: () => void navigate(`/cpq/approvals/${r.id}`), 'data-testid': 'approval-row', 'data-id': r.id, 'data-quote': r.quoteNumber }) as object}
        data-testid="approvals-table"
        columns={[
          {
            title: t('approvals.quote'),
            key: 'quote',
            render: (_, r) => (
              <Link to={`/cpq/approvals/${r.id}`} data-testid="approval-link">
                {`${r.quoteNumber} v${r.versionNo}`}
              </Link>
            ),
          },
          { title: t('approvals.account'), key: 'account', render: (_, r) => <Link to={`/crm/accounts/${r.accountId}`}>{r.accountName}</Link> },
          { title: t('approvals.amount'), key: 'amount', align: 'right', render: (_, r) => formatMoney(r.total) },
          { title: t('approvals.discount'), key: 'discount', align: 'right', render: (_, r) => formatPercent(r.discountPercent) },
          {
            title: t('approvals.level'),
            key: 'level',
            render: (_, r) => (r.currentLevel ? <Tag color="processing">{t(`levels.${r.currentLevel}`)}</Tag> : <ApprovalStatusTag status={r.status} />),
          },
          { title: t('approvals.submittedBy'), key: 'by', render: (_, r) => r.submittedByName },
          {
            title: t('approvals.waitingSince'),
            key: 'since',
            render: (_, r) => {
              const e = elapsedParts(r.submittedAt, now);
              return (
                <span title={formatDateTime(r.submittedAt, locale, session.user.timeZone)}>
                  {r.status === 'pending' ? t(`approvals.waiting.${e.unit}`, { count: e.count }) : formatDateTime(r.updatedAt, locale, session.user.timeZone)}
                </span>
              );
            },
          },
        ]}
      />
      <LoadMore loaded={rows.length} hasMore={!!list.hasNextPage} loading={list.isFetchingNextPage} onLoadMore={() => void list.fetchNextPage()} testId="approvals-load-more" />
    </div>
  );
}
