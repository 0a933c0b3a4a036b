import { Card, Table } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import type { Opportunity } from '../../../../server/modules/crm/opportunity-contract.ts';
import { LoadMore } from '../../../components/load-more.tsx';
import { ProblemAlert } from '../../../components/problem-alert.tsx';
import { ApiProblem } from '../../../http/api-problem.ts';
import { useLocale } from '../../../i18n/use-locale.ts';
import { stageLabel, usePipelines } from '../pipeline/pipeline-queries.ts';
import { useDeals } from './accounts-queries.ts';
import { moneyText } from './money-text.ts';

/** The account's deals (those the reader may see), newest first. */
export function AccountDeals({ accountId, title }: { accountId: string; title?: string }) {
  const { t } = useTranslation('crm');
  const deals = useDeals(accountId);
  const pipelines = usePipelines();
  const locale = useLocale();
  const stageName = (o: Opportunity) => stageLabel(pipelines.data?.items.find((p) => p.id === o.pipelineId)?.definition.stages.find((s) => s.key === o.stageKey), o.stageKey, locale);
  const rows = deals.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <Card title={title ?? t('deals.title')} data-testid="account-deals">
      {deals.error instanceof ApiProblem && <ProblemAlert problem={deals.error} />}
      <Table<Opportunity>
        rowKey="id"
        size="small"
        pagination={false}
        loading={deals.isPending}
        dataSource={rows}
        locale={{ emptyText: t('deals.empty') }}
        columns={[
          { title: t('deals.number'), key: 'number', render: (_, o) => <Link to={`/crm/opportunities/${o.id}`}>{o.number}</Link> },
          { title: t('deals.name'), dataIndex: 'name', render: (name: string) => <span data-testid="deal-name">{name}</span> },
          { title: t('deals.stage'), key: 'stage', render: (_, o) => stageName(o) },
          { title: t('deals.amount'), key: 'amount', align: 'right', render: (_, o) => moneyText(o.amount) },
          { title: t('deals.close'), dataIndex: 'expectedCloseDate' },
          { title: t('deals.owner'), dataIndex: 'ownerName' },
        ]}
      />
      <LoadMore loaded={rows.length} hasMore={!!deals.hasNextPage} loading={deals.isFetchingNextPage} onLoadMore={() => void deals.fetchNextPage()} testId="deals-load-more" />
    </Card>
  );
}
