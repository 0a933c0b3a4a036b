import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { Button, Card, Col, Form, Input, InputNumber, Row, Select, Space, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import type { RuleActionType } from '../../../../server/modules/pricing/pricing-rule.ts';
import { TIER_MODES } from '../../../../server/modules/pricing/pricing-rule.ts';
import { CURRENCIES } from '../../../../shared/money.ts';
import { ProductPicker } from '../catalog/catalog-pickers.tsx';
import type { RuleFormValues } from './rule-form-values.ts';

export const ACTION_TYPES: readonly RuleActionType[] = ['percentDiscount', 'amountDiscount', 'setPrice', 'tiers', 'floor', 'ceiling', 'bundlePrice', 'freeItem'];
const currencyOptions = Object.keys(CURRENCIES).map((c) => ({ value: c, label: c }));

/** The inputs of the chosen action type: a percent, amounts per currency, a tier table, a floor, a free item. */
export function ActionEditor({ disabled }: { disabled?: boolean }) {
  const { t } = useTranslation('cpq-catalog');
  const form = Form.useFormInstance<RuleFormValues>();
  const type = Form.useWatch('actionType', form) as RuleActionType | undefined;
  return (
    <Card size="small" title={t('action.title')} data-testid="action-editor">
      <Form.Item name="actionType" label={t('action.type')} extra={type ? t(`action.help.${type}`) : undefined}>
        <Select disabled={disabled} options={ACTION_TYPES.map((a) => ({ value: a, label: t(`action.types.${a}`) }))} style={{ maxWidth: 320 }} data-testid="action-type" />
      </Form.Item>
      {type === 'percentDiscount' && (
        <Form.Item name="percent" label={t('action.percent')} rules={[{ required: true, message: t('form.required') }]} extra={t('action.percentHelp')}>
          <Input suffix="%" inputMode="decimal" disabled={disabled} style={{ maxWidth: 200 }} data-testid="action-percent" />
        </Form.Item>
      )}
      {(type === 'setPrice' || type === 'amountDiscount' || type === 'ceiling' || type === 'bundlePrice' || type === 'floor') && (
        <AmountRows disabled={disabled} optional={type === 'floor'} />
      )}
      {type === 'floor' && (
        <Form.Item name="minMarginPercent" label={t('action.minMargin')} extra={t('action.minMarginHelp')}>
          <Input suffix="%" inputMode="decimal" disabled={disabled} style={{ maxWidth: 200 }} data-testid="action-min-margin" />
        </Form.Item>
      )}
      {type === 'freeItem' && (
        <Row gutter={16}>
          <Col span={12}>
            <Form.Item name="freeProductId" label={t('action.freeProduct')} rules={[{ required: true, message: t('form.required') }]}>
              <ProductPicker testId="action-free-product" />
            </Form.Item>
          </Col>
          <Col span={6}>
            <Form.Item name="freeQuantity" label={t('action.freeQuantity')} rules={[{ required: true, message: t('form.required') }]}>
              <InputNumber min={1} precision={0} disabled={disabled} style={{ width: '100%' }} />
            </Form.Item>
          </Col>
          <Col span={6}>
            <Form.Item name="freePerQuantity" label={t('action.perQuantity')}>
              <InputNumber min={1} precision={0} disabled={disabled} style={{ width: '100%' }} />
            </Form.Item>
          </Col>
        </Row>
      )}
      {type === 'tiers' && <TierBands disabled={disabled} />}
    </Card>
  );
}

function AmountRows({ disabled, optional }: { disabled?: boolean | undefined; optional: boolean }) {
  const { t } = useTranslation('cpq-catalog');
  return (
    <Form.Item label={t('action.amounts')} extra={optional ? t('action.floorAmountsHelp') : t('action.amountsHelp')}>
      <Form.List name="amounts">
        {(items, { add, remove }) => (
          <Space orientation="vertical" size={0}>
            {items.map((item) => (
              <Space key={item.key} align="start" data-testid="action-amount-row">
                <Form.Item name={[item.name, 'currency']} style={{ marginBottom: 8 }}>
                  <Select options={currencyOptions} disabled={disabled} style={{ width: 100 }} />
                </Form.Item>
                <Form.Item name={[item.name, 'amount']} rules={[{ required: true, message: t('form.required') }]} style={{ marginBottom: 8 }}>
                  <Input inputMode="decimal" disabled={disabled} style={{ width: 180 }} data-testid="action-amount" />
                </Form.Item>
                <Button icon={<DeleteOutlined />} disabled={disabled} onClick={() => remove(item.name)} aria-label={t('bundle.remove')} />
              </Space>
            ))}
            <Button icon={<PlusOutlined />} disabled={disabled} onClick={() => add({ currency: 'USD', amount: '' })} size="small">
              {t('action.addCurrency')}
            </Button>
          </Space>
        )}
      </Form.List>
    </Form.Item>
  );
}

function TierBands({ disabled }: { disabled?: boolean | undefined }) {
  const { t } = useTranslation(['cpq-catalog', 'validation']);
  const form = Form.useFormInstance<RuleFormValues>();
  const kind = Form.useWatch('tierValueKind', form);
  const currencies = (Form.useWatch('tierCurrencies', form) as string[] | undefined) ?? [];
  const mode = Form.useWatch('tierMode', form);
  return (
    <>
      <Row gutter={16}>
        <Col span={6}>
          <Form.Item name="tierBasis" label={t('action.tierBasis')}>
            <Select
              disabled={disabled}
              options={[
                { value: 'quantity', label: t('action.basis.quantity') },
                { value: 'termMonths', label: t('action.basis.termMonths') },
              ]}
            />
          </Form.Item>
        </Col>
        <Col span={6}>
          <Form.Item name="tierMode" label={t('action.tierMode')}>
            <Select disabled={disabled} options={TIER_MODES.map((m) => ({ value: m, label: t(`tiers.modes.${m}`) }))} data-testid="action-tier-mode" />
          </Form.Item>
        </Col>
        <Col span={6}>
          <Form.Item name="tierValueKind" label={t('action.tierValueKind')}>
            <Select
              disabled={disabled}
              options={(['price', 'percent', 'amount'] as const).map((k) => ({ value: k, label: t(`action.valueKinds.${k}`) }))}
              data-testid="action-tier-kind"
            />
          </Form.Item>
        </Col>
        {kind !== 'percent' && (
          <Col span={6}>
            <Form.Item name="tierCurrencies" label={t('action.currencies')}>
              <Select mode="multiple" disabled={disabled} options={currencyOptions} />
            </Form.Item>
          </Col>
        )}
      </Row>
      {mode && <Typography.Paragraph type="secondary">{t(`tiers.modeHelp.${mode as 'range'}`)}</Typography.Paragraph>}
      <Form.List name="bands">
        {(items, { add, remove }) => (
          <Space orientation="vertical" size={0} data-testid="action-bands">
            {items.map((item) => (
              <Space key={item.key} align="start" wrap data-testid="action-band-row">
                <Form.Item
                  name={[item.name, 'fromQty']}
                  style={{ marginBottom: 8 }}
                  rules={[
                    { required: true, message: t('form.required') },
                    // The engine's rule, said before saving: each band starts after the one before.
                    ({ getFieldValue }) => ({
                      validator: (_, value: unknown) => {
                        const previous = (getFieldValue('bands') as { fromQty?: number | null }[] | undefined)?.[item.name - 1]?.fromQty;
                        return typeof value === 'number' && typeof previous === 'number' && value <= previous
                          ? Promise.reject(new Error(t('validation:tiers_not_ascending')))
                          : Promise.resolve();
                      },
                    }),
                  ]}
                >
                  <InputNumber min={1} precision={0} disabled={disabled} addonBefore={t('action.from')} style={{ width: 170 }} data-testid="action-band-from" />
                </Form.Item>
                {kind === 'percent' ? (
                  <Form.Item name={[item.name, 'percent']} rules={[{ required: true, message: t('form.required') }]} style={{ marginBottom: 8 }}>
                    <Input suffix="%" inputMode="decimal" disabled={disabled} style={{ width: 140 }} data-testid="action-band-percent" />
                  </Form.Item>
                ) : (
                  currencies.map((c) => (
                    <Form.Item key={c} name={[item.name, 'amounts', c]} rules={[{ required: true, message: t('form.required') }]} style={{ marginBottom: 8 }}>
                      <Input prefix={c} inputMode="decimal" disabled={disabled} style={{ width: 160 }} />
                    </Form.Item>
                  ))
                )}
                <Button icon={<DeleteOutlined />} disabled={disabled} onClick={() => remove(item.name)} aria-label={t('tiers.removeBand')} />
              </Space>
            ))}
            <Button
              icon={<PlusOutlined />}
              size="small"
              disabled={disabled}
              onClick={() => {
                const bands = (form.getFieldValue('bands') as { fromQty?: number | null }[] | undefined) ?? [];
                const last = Math.max(0, ...bands.map((b) => b.fromQty ?? 0));
                add({ fromQty: last > 0 ? last * 2 : 10 });
              }}
              data-testid="action-add-band"
            >
              {t('tiers.addBand')}
            </Button>
          </Space>
        )}
      </Form.List>
    </>
  );
}
