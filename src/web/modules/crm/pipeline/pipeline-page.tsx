import { DownloadOutlined, PlusOutlined } from '@ant-design/icons';
import { Alert, Button, Drawer, Segmented, Select, Space, Spin } from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router-dom';
import { LoadMore } from '../../../components/load-more.tsx';
import { PageHeader } from '../../../components/page-header.tsx';
import { ProblemAlert } from '../../../components/problem-alert.tsx';
import { useShowProblem } from '../../../components/use-show-problem.ts';
import type { ApiProblem } from '../../../http/api-problem.ts';
import { useLocale } from '../../../i18n/use-locale.ts';
import { useSession } from '../../org/auth/use-session.ts';
import { DealFilters } from './deal-filters.tsx';
import { downloadFile } from './file-download.ts';
import { NewOpportunityModal } from './new-opportunity-modal.tsx';
import { OpportunityDetailView } from './opportunity-detail.tsx';
import { OpportunityTable } from './opportunity-table.tsx';
import { type ExportFormat, exportUrl, type OpportunityFilters } from './pipeline-api.ts';
import { PipelineCharts } from './pipeline-charts.tsx';
import { PipelineKanban } from './pipeline-kanban.tsx';
import { pickPipeline, pipelineLabel, useOpportunityList, usePipelines } from './pipeline-queries.ts';

type View = 'kanban' | 'table' | 'charts';
const VIEWS: View[] = ['kanban', 'table', 'charts'];

function todayIn(timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
}

/** /crm/pipeline: the deals of a pipeline as a kanban, a table or charts, with shared filters and export. */
export function PipelinePage() {
  const { t } = useTranslation('pipeline');
  const locale = useLocale();
  const session = useSession();
  const [params, setParams] = useSearchParams();
  const pipelines = usePipelines();
  const pipeline = pickPipeline(pipelines.data?.items, params.get('pipeline'));
  const view: View = VIEWS.includes(params.get('view') as View) ? (params.get('view') as View) : 'kanban';
  const openId = params.get('deal');
  const [filters, setFilters] = useState<OpportunityFilters>({});
  const [creating, setCreating] = useState(false);

  const listFilters = useMemo<OpportunityFilters>(() => ({ ...filters, ...(pipeline ? { pipelineId: pipeline.id } : {}) }), [filters, pipeline]);
  const list = useOpportunityList(listFilters, !!pipeline && view !== 'charts');
  const deals = useMemo(() => list.data?.pages.flatMap((p) => p.items) ?? [], [list.data]);

  const setParam = (key: string, value: string | null) =>
    setParams(
      (p) => {
        const next = new URLSearchParams(p);
        if (value === null) next.delete(key);
        else next.set(key, value);
        return next;
      },
      { replace: key !== 'deal' },
    );
  const showProblem = useShowProblem();
  const [exporting, setExporting] = useState<ExportFormat | null>(null);
  const download = (format: ExportFormat) => {
    setExporting(format);
    downloadFile(exportUrl(format, listFilters), `opportunities.${format}`)
      .catch(showProblem)
      .finally(() => setExporting(null));
  };

  return (
    <div data-testid="pipeline-page">
      <PageHeader
        title={t('title')}
        extra={
          <>
            <Select
              value={pipeline?.id}
              onChange={(v: string) => setParam('pipeline', v)}
              options={(pipelines.data?.items ?? []).map((p) => ({ value: p.id, label: pipelineLabel(p, locale) }))}
              style={{ minWidth: 180 }}
              loading={pipelines.isLoading}
              data-testid="pipeline-picker"
            />
            <Button icon={<DownloadOutlined />} onClick={() => download('csv')} loading={exporting === 'csv'} data-testid="export-csv">
              {t('export.csv')}
            </Button>
            <Button icon={<DownloadOutlined />} onClick={() => download('xlsx')} loading={exporting === 'xlsx'} data-testid="export-xlsx">
              {t('export.xlsx')}
            </Button>
            {session.can('crm.opportunities.write') && (
              <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)} disabled={!pipeline} data-testid="new-deal">
                {t('newDeal.button')}
              </Button>
            )}
          </>
        }
      />
      <ProblemAlert problem={(pipelines.error ?? list.error) as ApiProblem | null} />
      {!pipeline ? (
        <Spin />
      ) : (
        <>
          <Space style={{ marginBottom: 12 }}>
            <Segmented<View>
              value={view}
              onChange={(v) => setParam('view', v)}
              options={VIEWS.map((v) => ({ value: v, label: <span data-testid={`view-${v}`}>{t(`views.${v}`)}</span> }))}
            />
          </Space>
          <DealFilters pipeline={pipeline} filters={filters} onChange={setFilters} showSort={view === 'table'} />
          {view === 'kanban' && list.hasNextPage && <Alert type="info" showIcon title={t('kanban.partial', { count: deals.length })} style={{ marginBottom: 12 }} />}
          {view === 'kanban' && (list.isLoading ? <Spin /> : <PipelineKanban pipeline={pipeline} deals={deals} onOpen={(id) => setParam('deal', id)} />)}
          {view === 'table' && <OpportunityTable pipeline={pipeline} deals={deals} loading={list.isLoading} onOpen={(id) => setParam('deal', id)} />}
          {view !== 'charts' && (
            <LoadMore loaded={deals.length} hasMore={!!list.hasNextPage} loading={list.isFetchingNextPage} onLoadMore={() => void list.fetchNextPage()} testId="deals-load-more" />
          )}
          {view === 'charts' && <PipelineCharts pipeline={pipeline} unitId={filters.unitId} closeFrom={filters.closeFrom} closeTo={filters.closeTo} today={todayIn(session.user.timeZone)} />}
        </>
      )}
      <Drawer
        open={!!openId}
        onClose={() => setParam('deal', null)}
        size={720}
        title={t('detail.title')}
        extra={openId && <Link to={`/crm/opportunities/${openId}`}>{t('detail.openPage')}</Link>}
        destroyOnHidden
        data-testid="deal-drawer"
      >
        {openId && <OpportunityDetailView id={openId} />}
      </Drawer>
      {pipeline && creating && (
        <NewOpportunityModal
          open
          pipeline={pipeline}
          onClose={() => setCreating(false)}
          onCreated={(deal) => {
            setCreating(false);
            setParam('deal', deal.id);
          }}
        />
      )}
    </div>
  );
}
