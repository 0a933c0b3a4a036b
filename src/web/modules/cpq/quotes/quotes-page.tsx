import { Segmented, Space, Table } from 'antd';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useSearchParams } from 'react-router-dom';
import type { Quote } from '../../../../server/modules/quotes/contract.ts';
import { LoadMore } from '../../../components/load-more.tsx';
import { PageHeader } from '../../../components/page-header.tsx';
import { ProblemAlert } from '../../../components/problem-alert.tsx';
import { ApiProblem } from '../../../http/api-problem.ts';
import { formatDateTime } from '../../../i18n/date-format.ts';
import { useLocale } from '../../../i18n/use-locale.ts';
import { useSession } from '../../org/auth/use-session.ts';
import { UserPicker } from '../../org/user-picker.tsx';
import { formatMoney } from '../../crm/pipeline/money-display.ts';
import { QuoteStatusTag } from './quote-badges.tsx';
import { accountLabel } from './quote-format.ts';
import type { QuoteFilters } from './quotes-api.ts';
import { useQuoteList } from './quotes-queries.ts';

/** Filters live in the address, so a filtered list can be shared and survives a reload. */
function readFilters(params: URLSearchParams, myId: string): QuoteFilters {
  const owner = params.get('owner');
  return {
    ownerId: owner === 'me' ? myId : owner || undefined,
    opportunityId: params.get('opportunityId') || undefined,
  };
}

/** /quotes — the quotes I can see, newest first: number, status, account and deal, latest version and its total. */
export function QuotesPage() {
  const { t } = useTranslation(['cpq-quotes', 'common']);
  const locale = useLocale();
  const session = useSession();
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const filters = useMemo(() => readFilters(params, session.user.id), [params, session.user.id]);
  const list = useQuoteList(filters);
  const rows = useMemo(() => list.data?.pages.flatMap((p) => p.items) ?? [], [list.data]);
  const mine = params.get('owner') === 'me';

  const change = (patch: Record<string, string | undefined>) => {
    const next = new URLSearchParams(params);
    for (const [key, value] of Object.entries(patch)) {
      if (!value) next.delete(key);
      else next.set(key, value);
    }
    setParams(next, { replace: true });
  };

  return (
    <div data-testid="quotes-page">
      <PageHeader title={t('list.title')} subtitle={t('list.subtitle')} />
      <Space wrap size={[12, 12]} style={{ marginBottom: 16 }}>
        <Segmented<'all' | 'me'>
          value={mine ? 'me' : 'all'}
          onChange={(v) => change({ owner: v === 'me' ? 'me' : undefined })}
          options={[
            { value: 'all', label: t('list.allVisible') },
            { value: 'me', label: t('list.mine') },
          ]}
          data-testid="quotes-filter-mine"
        />
        {!mine && (
          <UserPicker
            value={filters.ownerId ?? null}
            onChange={(v) => change({ owner: v ?? undefined })}
            placeholder={t('list.filterOwner')}
            style={{ width: 240 }}
            testId="quotes-filter-owner"
          />
        )}
        {filters.opportunityId && (
          <Link to={`/crm/opportunities/${filters.opportunityId}`} data-testid="quotes-filter-deal">
            {t('list.ofDeal')}
          </Link>
        )}
      </Space>
      {list.error instanceof ApiProblem && <ProblemAlert problem={list.error} />}
      <Table<Quote>
        rowKey="id"
        dataSource={rows}
        loading={list.isPending}
        pagination={false}
        size="middle"
        locale={{ emptyText: t('list.empty') }}
        onRow={(q) => ({ onDoubleClick: () => void navigate(`/cpq/quotes/${q.id}`), 'data-testid': 'quote-row', 'data-id': q.id }) as object}
        data-testid="quotes-table"
        columns={[
          {
            title: t('fields.number'),
            key: 'number',
            render: (_, q) => (
              <Link to={`/cpq/quotes/${q.id}`} data-testid="quote-link">
                {q.number}
              </Link>
            ),
          },
          { title: t('fields.status'), key: 'status', render: (_, q) => <QuoteStatusTag status={q.status} /> },
          {
            title: t('fields.account'),
            key: 'account',
            render: (_, q) => (
              <Link to={`/crm/accounts/${q.accountId}`} data-testid="quote-row-account">
                {accountLabel(q, locale, t('quote.openAccount'))}
              </Link>
            ),
          },
          {
            title: t('fields.deal'),
            key: 'deal',
            render: (_, q) => (
              <Link to={`/crm/opportunities/${q.opportunityId}`} data-testid="quote-row-deal">
                {q.opportunityName || t('list.openDeal')}
              </Link>
            ),
          },
          { title: t('fields.latestVersion'), key: 'latest', render: (_, q) => `v${q.latestVersionNo}` },
          {
            title: t('totals.grandTotal'),
            key: 'total',
            align: 'right',
            render: (_, q) => (q.total ? <span data-testid="quote-row-total">{formatMoney(q.total)}</span> : '—'),
          },
          { title: t('fields.updatedAt'), key: 'updatedAt', render: (_, q) => formatDateTime(q.updatedAt, locale, session.user.timeZone) },
        ]}
      />
      <LoadMore loaded={rows.length} hasMore={!!list.hasNextPage} loading={list.isFetchingNextPage} onLoadMore={() => void list.fetchNextPage()} testId="quotes-load-more" />
    </div>
  );
}
