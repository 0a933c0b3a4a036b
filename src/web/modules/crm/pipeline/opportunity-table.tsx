import { Table, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import type { Opportunity, Pipeline } from '../../../../server/modules/crm/opportunity-contract.ts';
import { useLocale } from '../../../i18n/use-locale.ts';
import { formatMoney } from './money-display.ts';
import { stageLabel } from './pipeline-queries.ts';

/** The deals as rows; the list's order is the API's (the sort filter), pages load with the button below. */
export function OpportunityTable({ pipeline, deals, loading, onOpen }: { pipeline: Pipeline; deals: Opportunity[]; loading: boolean; onOpen: (id: string) => void }) {
  const { t } = useTranslation('pipeline');
  const locale = useLocale();
  const stages = new Map(pipeline.definition.stages.map((s) => [s.key, s]));
  const columns: ColumnsType<Opportunity> = [
    { title: t('fields.number'), dataIndex: 'number', width: 160 },
    {
      title: t('fields.name'),
      dataIndex: 'name',
      render: (_, d) => (
        <Typography.Link onClick={() => onOpen(d.id)} data-testid="deal-open">
          {d.name}
        </Typography.Link>
      ),
    },
    { title: t('fields.account'), dataIndex: 'accountName', render: (_, d) => <Link to={`/crm/accounts/${d.accountId}`}>{d.accountName}</Link> },
    { title: t('fields.owner'), dataIndex: 'ownerName', width: 110 },
    { title: t('fields.stage'), dataIndex: 'stageKey', width: 130, render: (_, d) => <Tag data-testid="deal-stage">{stageLabel(stages.get(d.stageKey), d.stageKey, locale)}</Tag> },
    { title: t('fields.amount'), dataIndex: 'amount', align: 'right', width: 160, render: (_, d) => formatMoney(d.amount) },
    { title: t('fields.expectedCloseDate'), dataIndex: 'expectedCloseDate', width: 120 },
    { title: t('fields.probability'), dataIndex: 'probability', width: 90, align: 'right', render: (v: number) => `${v}%` },
    {
      title: t('fields.forecastCategory'),
      dataIndex: 'forecastCategory',
      width: 120,
      render: (_, d) => (
        <span>
          {t(`categories.${d.forecastCategory}`)}
          {d.forecastCategoryOverride && <Tag style={{ marginInlineStart: 4 }}>{t('detail.overridden')}</Tag>}
        </span>
      ),
    },
  ];
  return (
    <Table<Opportunity>
      rowKey="id"
      size="small"
      columns={columns}
      dataSource={deals}
      loading={loading}
      pagination={false}
      scroll={{ x: 1100 }}
      onRow={(d) => ({ 'data-testid': 'deal-row', 'data-id': d.id }) as object}
      data-testid="deal-table"
    />
  );
}
