import { PlusOutlined } from '@ant-design/icons';
import { Button, Input, Select, Space, Table, Tag } from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useSearchParams } from 'react-router-dom';
import {
  ACCOUNT_KINDS,
  ACCOUNT_SORTS,
  ACCOUNT_STATUSES,
  ACCOUNT_TIERS,
  type Account,
} from '../../../../server/modules/crm/account-contract.ts';
import { LoadMore } from '../../../components/load-more.tsx';
import { PageHeader } from '../../../components/page-header.tsx';
import { ProblemAlert } from '../../../components/problem-alert.tsx';
import { ApiProblem } from '../../../http/api-problem.ts';
import { useSession } from '../../org/auth/use-session.ts';
import { UserPicker } from '../../org/user-picker.tsx';
import { AccountStatusTag, AccountTierTag } from './account-badges.tsx';
import { AccountFormDrawer } from './account-form-drawer.tsx';
import type { AccountFilters } from './accounts-api.ts';
import { useAccountList } from './accounts-queries.ts';
import { SavedViewsBar } from './saved-views-bar.tsx';

type Kind = Account['kind'];
type Status = Account['status'];
type Tier = Account['tier'];
type Sort = (typeof ACCOUNT_SORTS)[number];

/** Filters live in the address, so a filtered list can be shared and survives a reload. */
function readFilters(params: URLSearchParams): AccountFilters {
  const pick = <T extends string>(key: string, allowed: readonly T[]): T | undefined => {
    const v = params.get(key);
    return v !== null && (allowed as readonly string[]).includes(v) ? (v as T) : undefined;
  };
  return {
    q: params.get('q') || undefined,
    kind: pick<Kind>('kind', ACCOUNT_KINDS),
    status: pick<Status>('status', ACCOUNT_STATUSES),
    tier: pick<Tier>('tier', ACCOUNT_TIERS),
    ownerId: params.get('ownerId') || undefined,
    sort: pick<Sort>('sort', ACCOUNT_SORTS),
  };
}

/** The accounts I can see: search, filters, sort, cursor pages; new accounts from here. */
export function AccountsPage() {
  const { t } = useTranslation(['crm', 'common']);
  const session = useSession();
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const filters = useMemo(() => readFilters(params), [params]);
  const list = useAccountList(filters);
  const [creating, setCreating] = useState(false);
  const rows = useMemo(() => list.data?.pages.flatMap((p) => p.items) ?? [], [list.data]);

  const change = (patch: Partial<AccountFilters>) => {
    const next = new URLSearchParams(params);
    for (const [key, value] of Object.entries(patch)) {
      if (value === undefined || value === '') next.delete(key);
      else next.set(key, String(value));
    }
    setParams(next, { replace: true });
  };
  const all = `${t('list.all')}`;
  const enumSelect = <T extends string>(key: 'kind' | 'status' | 'tier', values: readonly T[], label: string, value: T | undefined) => (
    <Select<T | ''>
      value={value ?? ''}
      onChange={(v) => change({ [key]: v || undefined })}
      style={{ width: 170 }}
      options={[{ value: '' as const, label: `${label}: ${all}` }, ...values.map((v) => ({ value: v, label: t(`enums.${key}.${v}` as 'enums.kind.other') }))]}
      data-testid={`accounts-filter-${key}`}
    />
  );

  return (
    <div data-testid="accounts-page">
      <PageHeader
        title={t('title')}
        extra={
          <>
            <SavedViewsBar params={params} onApply={(next) => setParams(next, { replace: true })} />
            {session.can('crm.accounts.create') && (
              <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="accounts-create">
                {t('list.create')}
              </Button>
            )}
          </>
        }
      />
      <Space wrap size={[12, 12]} style={{ marginBottom: 16 }} data-testid="accounts-filters">
        <Input.Search
          key={filters.q ?? ''}
          defaultValue={filters.q ?? ''}
          onSearch={(q) => change({ q: q.trim() || undefined })}
          placeholder={t('list.searchPlaceholder')}
          allowClear
          style={{ width: 280 }}
          data-testid="accounts-search"
        />
        {enumSelect('kind', ACCOUNT_KINDS, t('list.filterKind'), filters.kind)}
        {enumSelect('status', ACCOUNT_STATUSES, t('list.filterStatus'), filters.status)}
        {enumSelect('tier', ACCOUNT_TIERS, t('list.filterTier'), filters.tier)}
        <UserPicker value={filters.ownerId ?? null} onChange={(v) => change({ ownerId: v ?? undefined })} placeholder={t('list.filterOwner')} style={{ width: 220 }} testId="accounts-filter-owner" />
        <Select
          value={(filters.sort ?? 'name') as Sort}
          onChange={(sort: Sort) => change({ sort: sort === 'name' ? undefined : sort })}
          style={{ width: 160 }}
          options={ACCOUNT_SORTS.map((s) => ({ value: s, label: t(`enums.sort.${s}`) }))}
          data-testid="accounts-sort"
        />
      </Space>
      {list.error instanceof ApiProblem && <ProblemAlert problem={list.error} />}
      <Table<Account>
        rowKey="id"
        dataSource={rows}
        loading={list.isPending}
        pagination={false}
        size="middle"
        locale={{ emptyText: t('list.empty') }}
        onRow={(a) => ({ onDoubleClick: () => void navigate(`/crm/accounts/${a.id}`) })}
        data-testid="accounts-table"
        columns={[
          {
            title: t('fields.nameZh'),
            key: 'name',
            render: (_, a) => (
              <Space orientation="vertical" size={0}>
                <Link to={`/crm/accounts/${a.id}`} data-testid="account-link">
                  {a.nameZh}
                </Link>
                {(a.nameEn || a.shortName) && <span style={{ opacity: 0.6, fontSize: 12 }}>{[a.shortName, a.nameEn].filter(Boolean).join(' · ')}</span>}
              </Space>
            ),
          },
          { title: t('fields.kind'), key: 'kind', render: (_, a) => t(`enums.kind.${a.kind}`) },
          { title: t('fields.status'), key: 'status', render: (_, a) => <AccountStatusTag status={a.status} /> },
          { title: t('fields.tier'), key: 'tier', render: (_, a) => <AccountTierTag tier={a.tier} /> },
          { title: t('fields.owner'), key: 'owner', render: (_, a) => a.ownerName ?? '—' },
          { title: t('fields.uscc'), key: 'uscc', render: (_, a) => a.uscc ?? '—' },
          { title: t('fields.tags'), key: 'tags', render: (_, a) => a.tags.map((tag) => <Tag key={tag}>{tag}</Tag>) },
        ]}
      />
      <LoadMore loaded={rows.length} hasMore={!!list.hasNextPage} loading={list.isFetchingNextPage} onLoadMore={() => void list.fetchNextPage()} testId="accounts-load-more" />
      {creating && <AccountFormDrawer mode={{ kind: 'create' }} onClose={() => setCreating(false)} onSaved={(a) => void navigate(`/crm/accounts/${a.id}`)} />}
    </div>
  );
}
