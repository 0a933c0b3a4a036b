import { Card, Collapse, Descriptions, Empty, Result, Space, Spin, Table } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router-dom';
import type { BillingInstallment, ContractLine, ContractTerms, ContractTotals } from '../../../../server/modules/contracts/contract.ts';
import { PageHeader } from '../../../components/page-header.tsx';
import { ProblemAlert } from '../../../components/problem-alert.tsx';
import { ApiProblem } from '../../../http/api-problem.ts';
import { formatDateTime } from '../../../i18n/date-format.ts';
import { useLocale } from '../../../i18n/use-locale.ts';
import { useSession } from '../../org/auth/use-session.ts';
import { formatMoney, groupDigits } from '../../crm/pipeline/money-display.ts';
import { ContractStatusTag } from './quote-badges.tsx';
import { accountLabel, formatPercent } from './quote-format.ts';
import { useContract } from './quotes-queries.ts';

/** /contracts/:id — a signed contract: its terms in force (lines, totals, billing schedule) and its amendments. */
export function ContractPage() {
  const { t } = useTranslation('cpq-quotes');
  const { id } = useParams();
  const contract = useContract(id);
  const locale = useLocale();
  const session = useSession();
  if (contract.error instanceof ApiProblem) {
    return contract.error.status === 404 ? <Result status="404" title={t('contracts.notFound')} /> : <ProblemAlert problem={contract.error} />;
  }
  if (!contract.data) return <Spin />;
  const c = contract.data;
  return (
    <div data-testid="contract-page" data-id={c.id}>
      <PageHeader
        title={
          <Space>
            <span data-testid="contract-number">{c.number}</span>
            <ContractStatusTag status={c.status} />
          </Space>
        }
        subtitle={
          <Space separator="·">
            <span>
              {t('fields.account')}:{' '}
              <Link to={`/crm/accounts/${c.accountId}`} data-testid="contract-account">
                {accountLabel(c, locale, t('quote.openAccount'))}
              </Link>
            </span>
            <span>
              {t('fields.deal')}:{' '}
              <Link to={`/crm/opportunities/${c.opportunityId}`} data-testid="contract-deal">
                {c.opportunityName || t('quote.openDeal')}
              </Link>
            </span>
            <Link to={`/cpq/quotes/${c.quoteId}`} data-testid="contract-quote-link">
              {t('contracts.fromQuote')}
            </Link>
          </Space>
        }
        extra={<Link to="/cpq/contracts">{t('contracts.backToList')}</Link>}
      />
      <Card size="small" style={{ marginBottom: 16 }}>
        <Descriptions size="small" column={{ xs: 1, md: 3 }}>
          <Descriptions.Item label={t('contracts.signedDate')}>{c.signedDate}</Descriptions.Item>
          <Descriptions.Item label={t('contracts.startDate')}>{c.startDate}</Descriptions.Item>
          <Descriptions.Item label={t('contracts.endDate')}>{c.endDate ?? '—'}</Descriptions.Item>
          <Descriptions.Item label={t('billing.type')}>{t(`billing.types.${c.billingType}`)}</Descriptions.Item>
          <Descriptions.Item label={t('accept.customerReference')}>{c.customerReference || '—'}</Descriptions.Item>
          <Descriptions.Item label={t('totals.grandTotal')}>
            <strong data-testid="contract-total" data-amount={c.totals.grandTotal.amount}>
              {formatMoney(c.totals.grandTotal)}
            </strong>
          </Descriptions.Item>
        </Descriptions>
      </Card>
      <Card size="small" title={t('contracts.lines')} style={{ marginBottom: 16 }}>
        <ContractLines lines={c.lines} />
        <div style={{ marginTop: 16 }}>
          <ContractTotalsTable totals={c.totals} />
        </div>
      </Card>
      <Card size="small" title={t('contracts.billing')} style={{ marginBottom: 16 }}>
        <BillingSchedule billing={c.billing} />
      </Card>
      <Card size="small" title={t('contracts.amendments')}>
        {c.amendments.length === 0 ? (
          <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('contracts.noAmendments')} />
        ) : (
          <Collapse
            data-testid="contract-amendments"
            items={c.amendments.map((a) => ({
              key: a.id,
              label: `#${a.number} · ${a.effectiveDate} · ${a.reason}`,
              extra: formatDateTime(a.createdAt, locale, session.user.timeZone),
              children: <AmendmentDiff before={a.before} after={a.after} />,
            }))}
          />
        )}
      </Card>
    </div>
  );
}

function ContractLines({ lines }: { lines: readonly ContractLine[] }) {
  const { t } = useTranslation('cpq-quotes');
  const locale = useLocale();
  return (
    <Table<ContractLine>
      rowKey="lineId"
      size="small"
      pagination={false}
      dataSource={[...lines]}
      scroll={{ x: 'max-content' }}
      data-testid="contract-lines"
      columns={[
        { title: '#', dataIndex: 'lineId' },
        { title: t('fields.product'), key: 'p', render: (_, l) => `${l.sku} · ${locale === 'en' && l.nameEn ? l.nameEn : l.nameZh}` },
        { title: t('fields.quantity'), key: 'q', align: 'right', render: (_, l) => `${l.quantity}${l.unit ? ` ${l.unit}` : ''}` },
        { title: t('fields.lineTerm'), key: 'term', render: (_, l) => l.termMonths ?? '—' },
        { title: t('lines.listUnit'), key: 'lu', align: 'right', render: (_, l) => (l.listUnit ? groupDigits(l.listUnit) : '—') },
        { title: t('lines.netUnit'), key: 'nu', align: 'right', render: (_, l) => groupDigits(l.netUnit) },
        { title: t('lines.net'), key: 'net', align: 'right', render: (_, l) => formatMoney(l.net) },
        { title: t('lines.tax'), key: 'tax', align: 'right', render: (_, l) => `${formatMoney(l.tax)} (${formatPercent(l.taxPercent)})` },
      ]}
    />
  );
}

function ContractTotalsTable({ totals }: { totals: ContractTotals }) {
  const { t } = useTranslation('cpq-quotes');
  return (
    <Descriptions size="small" column={1} bordered style={{ maxWidth: 480, marginInlineStart: 'auto' }}>
      <Descriptions.Item label={t('totals.list')}>{formatMoney(totals.list)}</Descriptions.Item>
      <Descriptions.Item label={t('totals.discount')}>{formatMoney(totals.discount)}</Descriptions.Item>
      <Descriptions.Item label={t('totals.net')}>{formatMoney(totals.net)}</Descriptions.Item>
      <Descriptions.Item label={t('totals.tax')}>{formatMoney(totals.tax)}</Descriptions.Item>
      <Descriptions.Item label={<strong>{t('totals.grandTotal')}</strong>}>
        <strong>{formatMoney(totals.grandTotal)}</strong>
      </Descriptions.Item>
    </Descriptions>
  );
}

function BillingSchedule({ billing }: { billing: readonly BillingInstallment[] }) {
  const { t } = useTranslation('cpq-quotes');
  const locale = useLocale();
  return (
    <Table<BillingInstallment>
      rowKey="seq"
      size="small"
      pagination={false}
      dataSource={[...billing]}
      data-testid="contract-billing"
      onRow={(b) => ({ 'data-testid': 'billing-row', 'data-amount': b.amount.amount }) as object}
      columns={[
        { title: '#', dataIndex: 'seq' },
        { title: t('contracts.installment'), key: 'label', render: (_, b) => (locale === 'en' ? b.label.en : b.label.zh) },
        { title: t('billing.dueDate'), key: 'due', render: (_, b) => b.dueDate ?? t('contracts.onMilestone') },
        { title: t('contracts.period'), key: 'period', render: (_, b) => (b.periodStart ? `${b.periodStart} – ${b.periodEnd ?? ''}` : '—') },
        { title: t('billing.percent'), key: 'pct', align: 'right', render: (_, b) => formatPercent(b.percent) },
        { title: t('contracts.amount'), key: 'amount', align: 'right', render: (_, b) => formatMoney(b.amount) },
      ]}
    />
  );
}

function AmendmentDiff({ before, after }: { before: ContractTerms; after: ContractTerms }) {
  const { t } = useTranslation('cpq-quotes');
  const rows = [
    { key: 'status', label: t('fields.status'), before: t(`statuses.contract.${before.status}`), after: t(`statuses.contract.${after.status}`) },
    { key: 'endDate', label: t('contracts.endDate'), before: before.endDate ?? '—', after: after.endDate ?? '—' },
    { key: 'billing', label: t('billing.type'), before: t(`billing.types.${before.billingType}`), after: t(`billing.types.${after.billingType}`) },
    { key: 'lines', label: t('contracts.lines'), before: String(before.lines.length), after: String(after.lines.length) },
    { key: 'total', label: t('totals.grandTotal'), before: formatMoney(before.totals.grandTotal), after: formatMoney(after.totals.grandTotal) },
  ];
  return (
    <Table
      size="small"
      pagination={false}
      rowKey="key"
      dataSource={rows}
      rowClassName={(r) => (r.before !== r.after ? 'ant-table-row-selected' : '')}
      columns={[
        { title: '', dataIndex: 'label' },
        { title: t('approvals.before'), dataIndex: 'before' },
        { title: t('approvals.after'), dataIndex: 'after' },
      ]}
    />
  );
}
