import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { Alert, Button, InputNumber, Input, Modal, Radio, Space, Table, Typography } from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { TierTable } from '../../../../server/modules/catalog/catalog.ts';
import { TIER_MODES } from '../../../../server/modules/catalog/contract.ts';
import { formatMoney } from '../../crm/pipeline/money-display.ts';
import { type TierMode, type TierRow, describeBands, listTierRowIssues, nextBandStart, toTierRows, toTierTable } from './tier-bands.ts';

/**
 * A list price's tier table: mode (range / slab / block), bands by ascending start quantity with a
 * unit price each (block: a flat price for the whole line). Problems show on their row as the user
 * types, with the catalog's own rule; the preview reads the bands as ranges.
 */
export function TierTableEditor({
  sku,
  currency,
  listPrice,
  value,
  onCancel,
  onApply,
}: {
  sku: string;
  currency: string;
  listPrice: string | null;
  value: TierTable | null;
  onCancel: () => void;
  onApply: (tiers: TierTable | null) => void;
}) {
  const { t } = useTranslation(['cpq-catalog', 'validation', 'common']);
  const [mode, setMode] = useState<TierMode>(value?.mode ?? 'range');
  const [rows, setRows] = useState<TierRow[]>(() => (value ? toTierRows(value) : [{ fromQty: 10, unitPrice: '' }]));
  const issues = useMemo(() => listTierRowIssues(mode, rows, currency), [mode, rows, currency]);
  const ranges = useMemo(() => describeBands(rows, listPrice), [rows, listPrice]);
  const rowIssue = (row: number, field: 'fromQty' | 'unitPrice') => issues.find((i) => i.row === row && i.field === field);
  const message = (key: string) => t(`validation:${key}` as 'validation:positive_integer', { defaultValue: key });
  const tableIssues = issues.filter((i) => i.row === -1);
  const update = (index: number, patch: Partial<TierRow>) => setRows((rs) => rs.map((r, i) => (i === index ? { ...r, ...patch } : r)));

  return (
    <Modal
      open
      width={760}
      title={t('tiers.title', { sku })}
      onCancel={onCancel}
      data-testid="tier-editor"
      footer={
        <Space>
          {value && (
            <Button danger onClick={() => onApply(null)} data-testid="tier-editor-clear">
              {t('tiers.clear')}
            </Button>
          )}
          <Button onClick={onCancel}>{t('common:actions.cancel')}</Button>
          <Button type="primary" disabled={issues.length > 0} onClick={() => onApply(toTierTable(mode, rows))} data-testid="tier-editor-apply">
            {t('tiers.apply')}
          </Button>
        </Space>
      }
    >
      <Space orientation="vertical" size={12} style={{ width: '100%' }}>
        <Radio.Group value={mode} onChange={(e) => setMode(e.target.value as TierMode)} data-testid="tier-editor-mode">
          {TIER_MODES.map((m) => (
            <Radio.Button key={m} value={m}>
              {t(`tiers.modes.${m}`)}
            </Radio.Button>
          ))}
        </Radio.Group>
        <Typography.Text type="secondary">{t(`tiers.modeHelp.${mode}`)}</Typography.Text>
        <Table<TierRow & { index: number }>
          size="small"
          pagination={false}
          rowKey="index"
          dataSource={rows.map((r, index) => ({ ...r, index }))}
          onRow={(r) => ({ 'data-testid': 'tier-row', 'data-index': r.index }) as object}
          columns={[
            {
              title: t('tiers.fromQty'),
              key: 'from',
              width: 200,
              render: (_, r) => {
                const issue = rowIssue(r.index, 'fromQty');
                return (
                  <div>
                    <InputNumber
                      min={1}
                      precision={0}
                      value={r.fromQty ?? null}
                      status={issue ? 'error' : undefined}
                      onChange={(v) => update(r.index, { fromQty: v })}
                      data-testid="tier-from"
                    />
                    {issue && (
                      <div className="ant-form-item-explain-error" data-testid="tier-issue">
                        {message(issue.key)}
                      </div>
                    )}
                  </div>
                );
              },
            },
            {
              title: mode === 'block' ? t('tiers.blockPrice', { currency }) : t('tiers.unitPrice', { currency }),
              key: 'price',
              render: (_, r) => {
                const issue = rowIssue(r.index, 'unitPrice');
                return (
                  <div>
                    <Input
                      inputMode="decimal"
                      value={r.unitPrice ?? ''}
                      status={issue ? 'error' : undefined}
                      onChange={(e) => update(r.index, { unitPrice: e.target.value })}
                      style={{ width: 200 }}
                      data-testid="tier-price"
                    />
                    {issue && (
                      <div className="ant-form-item-explain-error" data-testid="tier-issue">
                        {message(issue.key)}
                      </div>
                    )}
                  </div>
                );
              },
            },
            {
              key: 'remove',
              width: 56,
              render: (_, r) => <Button icon={<DeleteOutlined />} onClick={() => setRows((rs) => rs.filter((_, i) => i !== r.index))} aria-label={t('tiers.removeBand')} />,
            },
          ]}
        />
        <Button icon={<PlusOutlined />} onClick={() => setRows((rs) => [...rs, { fromQty: nextBandStart(rs), unitPrice: '' }])} data-testid="tier-add">
          {t('tiers.addBand')}
        </Button>
        {tableIssues.map((i) => (
          <Alert key={i.key} type="error" showIcon title={message(i.key)} />
        ))}
        {ranges.length > 0 && (
          <div data-testid="tier-preview">
            <Typography.Text strong>{t('tiers.preview')}</Typography.Text>
            <ul style={{ margin: '4px 0 0', paddingInlineStart: 20 }}>
              {ranges.map((r) => (
                <li key={r.from}>
                  {r.to === null ? t('tiers.rangeOpen', { from: r.from }) : t('tiers.range', { from: r.from, to: r.to })}
                  {': '}
                  {formatMoney({ amount: r.unitPrice, currency })}
                  {mode === 'block' && r.unitPrice !== listPrice ? ` ${t('tiers.perLine')}` : ''}
                </li>
              ))}
            </ul>
          </div>
        )}
      </Space>
    </Modal>
  );
}
