import { Select, Space, Table } from 'antd';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useSearchParams } from 'react-router-dom';
import { CONTRACT_STATUS_VALUES, type ContractStatus, type ContractSummary } from '../../../../server/modules/contracts/contract.ts';
import { LoadMore } from '../../../components/load-more.tsx';
import { PageHeader } from '../../../components/page-header.tsx';
import { ProblemAlert } from '../../../components/problem-alert.tsx';
import { ApiProblem } from '../../../http/api-problem.ts';
import { useLocale } from '../../../i18n/use-locale.ts';
import { UserPicker } from '../../org/user-picker.tsx';
import { formatMoney } from '../../crm/pipeline/money-display.ts';
import { ContractStatusTag } from './quote-badges.tsx';
import { accountLabel } from './quote-format.ts';
import type { ContractFilters } from './quotes-api.ts';
import { useContractList } from './quotes-queries.ts';

/** /contracts — the contracts I can see: number, status, account and deal, signing date, billing, grand total. */
export function ContractsPage() {
  const { t } = useTranslation('cpq-quotes');
  const locale = useLocale();
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const status = (CONTRACT_STATUS_VALUES as readonly string[]).includes(params.get('status') ?? '') ? (params.get('status') as ContractStatus) : undefined;
  const filters: ContractFilters = useMemo(
    () => ({
      ...(status ? { status } : {}),
      ...(params.get('ownerId') ? { ownerId: params.get('ownerId')! } : {}),
      ...(params.get('opportunityId') ? { opportunityId: params.get('opportunityId')! } : {}),
      ...(params.get('accountId') ? { accountId: params.get('accountId')! } : {}),
    }),
    [params, status],
  );
  const list = useContractList(filters);
  const rows = useMemo(() => list.data?.pages.flatMap((p) => p.items) ?? [], [list.data]);
  const change = (key: string, value: string | undefined) => {
    const next = new URLSearchParams(params);
    if (value) next.set(key, value);
    else next.delete(key);
    setParams(next, { replace: true });
  };

  return (
    <div data-testid="contracts-page">
      <PageHeader title={t('contracts.title')} />
      <Space wrap style={{ marginBottom: 16 }}>
        <Select<ContractStatus | ''>
          value={status ?? ''}
          onChange={(v) => change('status', v || undefined)}
          style={{ width: 180 }}
          options={[{ value: '', label: t('contracts.anyStatus') }, ...CONTRACT_STATUS_VALUES.map((s) => ({ value: s, label: t(`statuses.contract.${s}`) }))]}
          data-testid="contracts-status"
        />
        <UserPicker value={params.get('ownerId')} onChange={(v) => change('ownerId', v ?? undefined)} placeholder={t('list.filterOwner')} style={{ width: 240 }} />
      </Space>
      {list.error instanceof ApiProblem && <ProblemAlert problem={list.error} />}
      <Table<ContractSummary>
        rowKey="id"
        dataSource={rows}
        loading={list.isPending}
        pagination={false}
        size="middle"
        locale={{ emptyText: t('contracts.empty') }}
        onRow={(c) => ({ onDoubleClick: () => void navigate(`/cpq/contracts/${c.id}`), 'data-testid': 'contract-row', 'data-id': c.id }) as object}
        data-testid="contracts-table"
        columns={[
          { title: t('contracts.number'), key: 'number', render: (_, c) => <Link to={`/cpq/contracts/${c.id}`}>{c.number}</Link> },
          { title: t('fields.status'), key: 'status', render: (_, c) => <ContractStatusTag status={c.status} /> },
          {
            title: t('fields.account'),
            key: 'account',
            render: (_, c) => (
              <Link to={`/crm/accounts/${c.accountId}`} data-testid="contract-row-account">
                {accountLabel(c, locale, t('quote.openAccount'))}
              </Link>
            ),
          },
          {
            title: t('fields.deal'),
            key: 'deal',
            render: (_, c) => (
              <Link to={`/crm/opportunities/${c.opportunityId}`} data-testid="contract-row-deal">
                {c.opportunityName || t('quote.openDeal')}
              </Link>
            ),
          },
          { title: t('contracts.signedDate'), dataIndex: 'signedDate' },
          { title: t('billing.type'), key: 'billing', render: (_, c) => t(`billing.types.${c.billingType}`) },
          { title: t('totals.grandTotal'), key: 'total', align: 'right', render: (_, c) => formatMoney(c.grandTotal) },
          { title: t('contracts.amendments'), dataIndex: 'amendmentCount', align: 'right' },
        ]}
      />
      <LoadMore loaded={rows.length} hasMore={!!list.hasNextPage} loading={list.isFetchingNextPage} onLoadMore={() => void list.fetchNextPage()} testId="contracts-load-more" />
    </div>
  );
}
