import { InfoCircleOutlined, WarningOutlined } from '@ant-design/icons';
import { Button, Descriptions, Drawer, Space, Spin, Table, Tag, Tooltip, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import type { Product } from '../../../../server/modules/catalog/contract.ts';
import type { ExplainedPricedLine, QuotePricedLine, QuoteTotals } from '../../../../server/modules/quotes/contract.ts';
import { ProblemAlert } from '../../../components/problem-alert.tsx';
import { ApiProblem } from '../../../http/api-problem.ts';
import { useLocale } from '../../../i18n/use-locale.ts';
import { formatMoney, groupDigits } from '../../crm/pipeline/money-display.ts';
import { ExplanationWaterfall } from '../pricing/explanation-waterfall.tsx';
import { formatPercent, productLabel } from './quote-format.ts';
import { useLineExplanation } from './quotes-queries.ts';

/** The quote's totals: list, discount (amount and %), net, tax, grand total, margin; RMB capitals on zh. */
export function TotalsTable({ totals }: { totals: QuoteTotals }) {
  const { t } = useTranslation('cpq-quotes');
  const locale = useLocale();
  return (
    <Descriptions size="small" column={1} bordered data-testid="quote-totals" style={{ maxWidth: 520, marginInlineStart: 'auto' }}>
      <Descriptions.Item label={t('totals.list')}>
        <span data-testid="totals-list">{formatMoney(totals.list)}</span>
      </Descriptions.Item>
      <Descriptions.Item label={t('totals.discount')}>
        <span data-testid="totals-discount">{formatMoney(totals.discount)}</span>
        <Typography.Text type="secondary" style={{ marginInlineStart: 8 }} data-testid="totals-discount-percent">
          {formatPercent(totals.discountPercent)}
        </Typography.Text>
      </Descriptions.Item>
      <Descriptions.Item label={t('totals.net')}>
        <span data-testid="totals-net">{formatMoney(totals.net)}</span>
      </Descriptions.Item>
      <Descriptions.Item label={t('totals.tax')}>
        <span data-testid="totals-tax">{formatMoney(totals.tax)}</span>
      </Descriptions.Item>
      <Descriptions.Item label={<strong>{t('totals.grandTotal')}</strong>}>
        <strong data-testid="totals-grand" data-amount={totals.grandTotal.amount}>
          {formatMoney(totals.grandTotal)}
        </strong>
        {locale === 'zh-CN' && totals.grandTotalInWords && (
          <div data-testid="totals-in-words" style={{ fontSize: 12 }}>
            {t('totals.inWords', { words: totals.grandTotalInWords })}
          </div>
        )}
      </Descriptions.Item>
      <Descriptions.Item label={t('totals.margin')}>
        <span data-testid="totals-margin">{formatMoney(totals.margin)}</span>
        <Typography.Text type="secondary" style={{ marginInlineStart: 8 }}>
          {formatPercent(totals.marginPercent)}
        </Typography.Text>
        {!totals.isCostComplete && (
          <Tooltip title={t('totals.marginIncomplete')}>
            <InfoCircleOutlined style={{ marginInlineStart: 8 }} />
          </Tooltip>
        )}
      </Descriptions.Item>
    </Descriptions>
  );
}

/** A warning tag for a line priced below its floor (and whether a role allowed it). */
export function FloorTag({ line, compact = false }: { line: Pick<QuotePricedLine, 'belowFloor' | 'floorOverride' | 'floor'>; compact?: boolean }) {
  const { t } = useTranslation('cpq-quotes');
  if (!line.belowFloor) return null;
  const text = line.floorOverride ? t('lines.belowFloorAllowed') : t('lines.belowFloor');
  const floor = line.floor ? t('lines.floorIs', { floor: groupDigits(line.floor) }) : '';
  return (
    <Tooltip title={compact ? `${text}${floor ? ` · ${floor}` : ''}` : floor || undefined}>
      <Tag color={line.floorOverride ? 'warning' : 'error'} icon={<WarningOutlined />} data-testid="below-floor">
        {compact ? null : text}
      </Tag>
    </Tooltip>
  );
}

/** The lines of a frozen version as they were priced (bundle components indented under their header). */
export function PricedLinesTable({
  priced,
  products,
  onExplain,
}: {
  priced: readonly QuotePricedLine[];
  products: ReadonlyMap<string, Product>;
  onExplain?: (line: QuotePricedLine) => void;
}) {
  const { t } = useTranslation('cpq-quotes');
  const locale = useLocale();
  return (
    <Table<QuotePricedLine>
      rowKey="lineId"
      size="small"
      pagination={false}
      dataSource={[...priced]}
      scroll={{ x: 'max-content' }}
      data-testid="priced-lines"
      onRow={(l) => ({ 'data-testid': 'priced-line', 'data-line': l.lineId }) as object}
      columns={[
        { title: '#', dataIndex: 'lineId', width: 60 },
        {
          title: t('fields.product'),
          key: 'product',
          render: (_, l) => (
            <span style={{ paddingInlineStart: l.parentLineId ? 16 : 0, opacity: l.isCounted ? 1 : 0.65 }}>
              {productLabel(products.get(l.productId), locale, l.productId)}
            </span>
          ),
        },
        { title: t('fields.quantity'), dataIndex: 'quantity', align: 'right' },
        { title: t('lines.listUnit'), key: 'listUnit', align: 'right', render: (_, l) => (l.listUnit === null ? '—' : groupDigits(l.listUnit)) },
        { title: t('lines.netUnit'), key: 'netUnit', align: 'right', render: (_, l) => groupDigits(l.netUnit) },
        { title: t('lines.discount'), key: 'discount', align: 'right', render: (_, l) => formatPercent(l.discountPercent) },
        { title: t('lines.net'), key: 'net', align: 'right', render: (_, l) => formatMoney(l.net) },
        { title: t('lines.tax'), key: 'tax', align: 'right', render: (_, l) => `${formatMoney(l.tax)} (${formatPercent(l.taxPercent)})` },
        {
          title: '',
          key: 'flags',
          render: (_, l) => (
            <Space size={4}>
              <FloorTag line={l} />
              {onExplain && (
                <Button size="small" type="link" onClick={() => onExplain(l)} data-testid="explain-line">
                  {t('actions.explain')}
                </Button>
              )}
            </Space>
          ),
        },
      ]}
    />
  );
}

/**
 * One line's price explanation in a drawer, in the UI language: a previewed line carries its
 * explanation; a saved version's line is explained by the server from what was stored with
 * `version` (its id and row version).
 */
export function ExplanationDrawer({
  line,
  version,
  products,
  onClose,
}: {
  line: QuotePricedLine | ExplainedPricedLine | null;
  version: { id: string; version: number } | null;
  products: ReadonlyMap<string, Product>;
  onClose: () => void;
}) {
  const { t } = useTranslation('cpq-quotes');
  const locale = useLocale();
  const inline = line !== null && 'explanation' in line ? line.explanation : null;
  const stored = useLineExplanation(line !== null && inline === null && version !== null ? { versionId: version.id, revision: version.version, lineId: line.lineId } : null);
  const steps = inline
    ? inline.map((e) => ({ type: e.type, ruleId: e.ruleId, text: locale === 'en' ? e.en : e.zh }))
    : (stored.data?.lines.find((l) => l.lineId === line?.lineId)?.steps ?? null);
  return (
    <Drawer
      open={line !== null}
      onClose={onClose}
      size={520}
      title={line ? t('explanation.title', { line: line.lineId, product: productLabel(products.get(line.productId), locale, line.productId) }) : ''}
      destroyOnHidden
      data-testid="explanation-drawer"
    >
      {line && (
        <>
          <Descriptions size="small" column={1} style={{ marginBottom: 16 }}>
            <Descriptions.Item label={t('lines.net')}>{formatMoney(line.net)}</Descriptions.Item>
            {line.rulesUsed.length > 0 && (
              <Descriptions.Item label={t('explanation.rulesUsed')}>
                {line.rulesUsed.map((r) => (
                  <Tag key={r.ruleId}>{`${r.code ?? r.ruleId} v${r.version}`}</Tag>
                ))}
              </Descriptions.Item>
            )}
          </Descriptions>
          {steps ? (
            <ExplanationWaterfall steps={steps} listUnit={line.listUnit} netUnit={line.netUnit} currency={line.net.currency} />
          ) : stored.error instanceof ApiProblem ? (
            <ProblemAlert problem={stored.error} />
          ) : (
            <Spin />
          )}
        </>
      )}
    </Drawer>
  );
}
