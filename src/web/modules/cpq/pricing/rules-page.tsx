import { DownloadOutlined, PlusOutlined, UploadOutlined } from '@ant-design/icons';
import { useInfiniteQuery, useQueryClient } from '@tanstack/react-query';
import { Button, Input, Select, Space, Table, Tag } from 'antd';
import dayjs from 'dayjs';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useSearchParams } from 'react-router-dom';
import type { RuleImportReport, RuleSummary } from '../../../../server/modules/pricing/contract.ts';
import { PRICING_PHASES, type PricingPhase } from '../../../../server/modules/pricing/pricing-rule.ts';
import { LoadMore } from '../../../components/load-more.tsx';
import { PageHeader } from '../../../components/page-header.tsx';
import { ProblemAlert } from '../../../components/problem-alert.tsx';
import { useShowProblem } from '../../../components/use-show-problem.ts';
import { ApiProblem } from '../../../http/api-problem.ts';
import { useSession } from '../../org/auth/use-session.ts';
import { downloadFile } from '../../crm/pipeline/file-download.ts';
import { XlsxImportModal } from '../catalog/xlsx-import-modal.tsx';
import { type RuleFilters, pricingApi, pricingKeys } from './pricing-api.ts';

/**
 * /cpq/pricing-rules: rules by code with their published and draft versions. Status, "has a
 * draft" and text are filtered by the API; the phase (carried by every summary) on the loaded
 * rows. The rules workbook: export, and import with a dry run first (new drafts, nothing published).
 */
export function RulesPage() {
  const { t } = useTranslation(['cpq-catalog', 'common']);
  const navigate = useNavigate();
  const showProblem = useShowProblem();
  const queryClient = useQueryClient();
  const canWrite = useSession().can('pricing.rules.write');
  const [params, setParams] = useSearchParams();
  const [importing, setImporting] = useState(false);
  const filters: RuleFilters = useMemo(
    () => ({
      status: params.get('status') === 'archived' ? 'archived' : params.get('status') === 'all' ? undefined : 'active',
      hasDraft: params.get('hasDraft') === 'true' || params.get('hasDraft') === 'false' ? (params.get('hasDraft') as 'true' | 'false') : undefined,
      q: params.get('q') || undefined,
    }),
    [params],
  );
  const phase = (PRICING_PHASES as readonly string[]).includes(params.get('phase') ?? '') ? (params.get('phase') as PricingPhase) : undefined;
  const list = useInfiniteQuery({
    queryKey: pricingKeys.rules(filters),
    queryFn: ({ pageParam, signal }) => pricingApi.rules({ ...filters, cursor: pageParam, limit: 100 }, signal),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const rows = useMemo(() => (list.data?.pages.flatMap((p) => p.items) ?? []).filter((r) => !phase || r.phase === phase), [list.data, phase]);
  const change = (key: string, value: string | undefined) => {
    const next = new URLSearchParams(params);
    if (value) next.set(key, value);
    else next.delete(key);
    setParams(next, { replace: true });
  };

  return (
    <div data-testid="rules-page">
      <PageHeader
        title={t('rules.title')}
        subtitle={t('rules.subtitle')}
        extra={
          <>
            <Button
              icon={<DownloadOutlined />}
              onClick={() => void downloadFile(pricingApi.exportUrl(), `pricing-rules-${dayjs().format('YYYYMMDD')}.xlsx`).catch(showProblem)}
              data-testid="rules-export"
            >
              {t('entries.export')}
            </Button>
            {canWrite && (
              <>
                <Button icon={<UploadOutlined />} onClick={() => setImporting(true)} data-testid="rules-import">
                  {t('entries.import')}
                </Button>
                <Button type="primary" icon={<PlusOutlined />} onClick={() => void navigate('/cpq/pricing-rules/new')} data-testid="rules-create">
                  {t('rules.create')}
                </Button>
              </>
            )}
          </>
        }
      />
      <Space wrap size={[12, 12]} style={{ marginBottom: 16 }}>
        <Input.Search
          key={filters.q ?? ''}
          defaultValue={filters.q ?? ''}
          allowClear
          placeholder={t('rules.search')}
          onSearch={(q) => change('q', q.trim() || undefined)}
          style={{ width: 260 }}
          data-testid="rules-search"
        />
        <Select<string>
          value={params.get('status') ?? 'active'}
          onChange={(v) => change('status', v === 'active' ? undefined : v)}
          style={{ width: 160 }}
          options={[
            { value: 'active', label: t('rules.status.active') },
            { value: 'archived', label: t('rules.status.archived') },
            { value: 'all', label: t('rules.status.all') },
          ]}
          data-testid="rules-filter-status"
        />
        <Select<string>
          value={filters.hasDraft ?? ''}
          onChange={(v) => change('hasDraft', v || undefined)}
          style={{ width: 170 }}
          options={[
            { value: '', label: t('rules.draftAny') },
            { value: 'true', label: t('rules.draftYes') },
            { value: 'false', label: t('rules.draftNo') },
          ]}
          data-testid="rules-filter-draft"
        />
        <Select<string>
          value={phase ?? ''}
          onChange={(v) => change('phase', v || undefined)}
          style={{ width: 160 }}
          options={[{ value: '', label: t('rules.phaseAny') }, ...PRICING_PHASES.map((p) => ({ value: p, label: t(`phases.${p}`) }))]}
          data-testid="rules-filter-phase"
        />
      </Space>
      {list.error instanceof ApiProblem && <ProblemAlert problem={list.error} />}
      <Table<RuleSummary>
        rowKey="id"
        loading={list.isPending}
        dataSource={rows}
        pagination={false}
        locale={{ emptyText: t('rules.empty') }}
        onRow={(r) => ({ 'data-testid': 'rule-row', 'data-code': r.code, 'data-id': r.id, onDoubleClick: () => void navigate(`/cpq/pricing-rules/${r.id}`) }) as object}
        data-testid="rules-table"
        columns={[
          { title: t('fields.code'), key: 'code', render: (_, r) => <Link to={`/cpq/pricing-rules/${r.id}`}>{r.code}</Link> },
          { title: t('fields.name'), dataIndex: 'name' },
          { title: t('fields.phase'), key: 'phase', render: (_, r) => <Tag>{t(`phases.${r.phase}`)}</Tag> },
          {
            title: t('rules.versions'),
            key: 'versions',
            render: (_, r) => (
              <Space size={4}>
                {r.publishedVersion !== null ? <Tag color="green">{t('rules.publishedVersion', { number: r.publishedVersion })}</Tag> : <Tag>{t('rules.neverPublished')}</Tag>}
                {r.draftVersion !== null && <Tag color="gold">{t('rules.draftVersion', { number: r.draftVersion })}</Tag>}
              </Space>
            ),
          },
          { title: t('fields.status'), key: 'status', render: (_, r) => <Tag color={r.status === 'active' ? 'blue' : 'default'}>{t(`rules.status.${r.status}`)}</Tag> },
          { title: t('rules.updated'), key: 'updated', render: (_, r) => dayjs(r.updatedAt).format('YYYY-MM-DD HH:mm') },
        ]}
      />
      <LoadMore loaded={rows.length} hasMore={!!list.hasNextPage} loading={list.isFetchingNextPage} onLoadMore={() => void list.fetchNextPage()} />
      {importing && (
        <XlsxImportModal<RuleImportReport>
          title={t('rules.importTitle')}
          testId="rules-import-modal"
          run={(fileBase64, dryRun) => pricingApi.importRules({ fileBase64, dryRun })}
          onClose={() => setImporting(false)}
          onApplied={() => void queryClient.invalidateQueries({ queryKey: pricingKeys.all })}
        />
      )}
    </div>
  );
}
