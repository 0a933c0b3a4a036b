import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, Col, Drawer, Form, Input, InputNumber, Row, Select, Skeleton, Space, Switch } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { PRODUCT_KINDS, type ProductKind } from '../../../../server/modules/catalog/contract.ts';
import { CURRENCIES } from '../../../../shared/money.ts';
import { ProblemAlert } from '../../../components/problem-alert.tsx';
import { ApiProblem, type FieldError } from '../../../http/api-problem.ts';
import { catalogApi, catalogKeys } from './catalog-api.ts';
import { ProductGroupSelect, ProductPicker } from './catalog-pickers.tsx';
import { mapProblemToFields } from './problem-fields.ts';
import {
  PRODUCT_FORM_FIELDS,
  type ProductFormValues,
  createProductBody,
  defaultTaxPercent,
  hasProductChanges,
  newProductDefaults,
  productFieldOf,
  toProductFormValues,
  updateProductBody,
} from './product-form-values.ts';

export type ProductFormMode = { kind: 'create' } | { kind: 'edit'; productId: string };

/**
 * Create or edit a product or bundle. Field problems of a 422 land on their inputs (bundle rows
 * included); a 409 on the version reloads the product and says so.
 */
export function ProductFormDrawer({ mode, defaultGroupId, onClose }: { mode: ProductFormMode; defaultGroupId: string | null; onClose: () => void }) {
  const { t } = useTranslation(['cpq-catalog', 'common']);
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [form] = Form.useForm<ProductFormValues>();
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const [unmatched, setUnmatched] = useState<FieldError[]>([]);
  const [conflict, setConflict] = useState(false);
  const [saving, setSaving] = useState(false);
  const editingId = mode.kind === 'edit' ? mode.productId : undefined;
  const current = useQuery({
    queryKey: catalogKeys.product(editingId ?? ''),
    queryFn: ({ signal }) => catalogApi.product(editingId!, signal),
    enabled: !!editingId,
    staleTime: 0,
    refetchOnWindowFocus: false,
  });
  const baseline = current.data;
  const ready = mode.kind === 'create' || (!!baseline && !current.isFetching);
  const isBundle = Form.useWatch('isBundle', form);
  const kind = Form.useWatch('kind', form);

  useEffect(() => {
    if (baseline && !current.isFetching) form.setFieldsValue(toProductFormValues(baseline));
  }, [baseline, current.isFetching, form]);

  const save = async () => {
    let values: ProductFormValues;
    try {
      values = await form.validateFields();
    } catch {
      return;
    }
    values = { ...form.getFieldsValue(true), ...values } as ProductFormValues;
    setSaving(true);
    setProblem(null);
    setUnmatched([]);
    try {
      if (mode.kind === 'create') {
        const saved = await catalogApi.createProduct(createProductBody(values));
        void message.success(t('products.created', { sku: saved.sku }));
      } else {
        if (!baseline) return;
        const body = updateProductBody(baseline, values);
        if (!hasProductChanges(body)) return onClose();
        await catalogApi.updateProduct(baseline.id, body);
        void message.success(t('products.saved'));
      }
      void queryClient.invalidateQueries({ queryKey: catalogKeys.all });
      onClose();
    } catch (err) {
      if (!(err instanceof ApiProblem)) throw err;
      if (err.isVersionConflict) {
        setConflict(true);
        await current.refetch();
        return;
      }
      setProblem(err);
      const { fields, unmatched: rest } = mapProblemToFields(err.errors, productFieldOf);
      form.setFields([...PRODUCT_FORM_FIELDS.map((name) => ({ name, errors: [] as string[] })), ...fields] as Parameters<typeof form.setFields>[0]);
      setUnmatched(rest);
    } finally {
      setSaving(false);
    }
  };

  const required = [{ required: true, message: t('form.required') }];
  return (
    <Drawer
      open
      size={760}
      title={mode.kind === 'edit' ? t('products.editTitle', { sku: baseline?.sku ?? '' }) : t('products.createTitle')}
      onClose={onClose}
      data-testid="product-form-drawer"
      footer={
        <div style={{ display: 'flex', justifyContent: 'flex-end', gap: 8 }}>
          <Button onClick={onClose}>{t('common:actions.cancel')}</Button>
          <Button type="primary" loading={saving} disabled={!ready} onClick={() => void save()} data-testid="product-form-submit">
            {t('common:actions.save')}
          </Button>
        </div>
      }
    >
      {conflict && <Alert type="warning" showIcon title={t('common:problems.versionConflict')} style={{ marginBottom: 16 }} data-testid="version-conflict" />}
      <ProblemAlert problem={problem} unmatched={unmatched} />
      {!ready && <Skeleton active paragraph={{ rows: 10 }} />}
      <Form<ProductFormValues>
        form={form}
        layout="vertical"
        initialValues={mode.kind === 'create' ? newProductDefaults(defaultGroupId) : undefined}
        style={{ display: ready ? undefined : 'none' }}
        onValuesChange={(changed: Partial<ProductFormValues>) => {
          // A new product's VAT follows its kind until the user types a rate.
          if (mode.kind === 'create' && changed.kind && !form.isFieldTouched('taxPercent')) form.setFieldValue('taxPercent', defaultTaxPercent(changed.kind));
        }}
        data-testid="product-form"
      >
        <Row gutter={16}>
          <Col span={8}>
            <Form.Item name="sku" label={t('fields.sku')} rules={required} extra={t('products.skuHelp')}>
              <Input data-testid="product-form-sku" />
            </Form.Item>
          </Col>
          <Col span={16}>
            <Form.Item name="nameZh" label={t('fields.nameZh')} rules={required}>
              <Input data-testid="product-form-nameZh" />
            </Form.Item>
          </Col>
          <Col span={24}>
            <Form.Item name="nameEn" label={t('fields.nameEn')}>
              <Input data-testid="product-form-nameEn" />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item name="groupId" label={t('fields.group')}>
              <ProductGroupSelect testId="product-form-group" />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item name="kind" label={t('fields.kind')} rules={required}>
              <Select options={PRODUCT_KINDS.map((k) => ({ value: k, label: t(`kinds.${k}`) }))} data-testid="product-form-kind" />
            </Form.Item>
          </Col>
          <Col span={6}>
            <Form.Item name="unit" label={t('fields.unit')} rules={required}>
              <Input maxLength={20} data-testid="product-form-unit" />
            </Form.Item>
          </Col>
          <Col span={6}>
            <Form.Item name="taxPercent" label={t('fields.taxPercent')} rules={required}>
              <Input suffix="%" data-testid="product-form-tax" />
            </Form.Item>
          </Col>
          <Col span={6}>
            <Form.Item name="termMonths" label={t('fields.termMonths')} extra={(kind as ProductKind | undefined) === 'subscription' ? t('products.termHelp') : undefined}>
              <InputNumber min={1} max={120} precision={0} style={{ width: '100%' }} data-testid="product-form-term" />
            </Form.Item>
          </Col>
          <Col span={6}>
            <Form.Item name="isActive" label={t('fields.active')} valuePropName="checked">
              <Switch data-testid="product-form-active" />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item name="costAmount" label={t('fields.cost')} extra={t('products.costHelp')}>
              <Input inputMode="decimal" data-testid="product-form-cost" />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item name="costCurrency" label={t('fields.currency')}>
              <Select options={Object.keys(CURRENCIES).map((c) => ({ value: c, label: c }))} data-testid="product-form-cost-currency" />
            </Form.Item>
          </Col>
          <Col span={24}>
            <Form.Item name="isBundle" label={t('products.isBundle')} valuePropName="checked">
              <Switch data-testid="product-form-is-bundle" />
            </Form.Item>
          </Col>
        </Row>
        {isBundle && <BundleFields excludeId={editingId} />}
      </Form>
    </Drawer>
  );
}

/** Components (always in the bundle), options (chosen per quote, by feature) and features (min/max options). */
function BundleFields({ excludeId }: { excludeId: string | undefined }) {
  const { t } = useTranslation('cpq-catalog');
  const qty = (name: (string | number)[]) => (
    <Form.Item name={name} rules={[{ required: true, message: t('form.required') }]} style={{ marginBottom: 8 }}>
      <InputNumber min={1} precision={0} placeholder={t('fields.quantity')} style={{ width: 110 }} />
    </Form.Item>
  );
  return (
    <Space orientation="vertical" size={12} style={{ width: '100%' }} data-testid="bundle-editor">
      <Form.Item name="bundlePricing" label={t('bundle.pricing')} style={{ marginBottom: 0 }}>
        <Select
          style={{ width: 320 }}
          options={[
            { value: 'fixed', label: t('bundle.pricingFixed') },
            { value: 'components', label: t('bundle.pricingComponents') },
          ]}
          data-testid="bundle-pricing"
        />
      </Form.Item>
      <Card size="small" title={t('bundle.components')}>
        <Form.List name="components">
          {(items, { add, remove }) => (
            <>
              {items.map((item) => (
                <Space key={item.key} align="start" data-testid="bundle-component-row">
                  <Form.Item name={[item.name, 'productId']} rules={[{ required: true, message: t('form.required') }]} style={{ marginBottom: 8 }}>
                    <ProductPicker excludeId={excludeId} style={{ width: 360 }} placeholder={t('bundle.product')} />
                  </Form.Item>
                  {qty([item.name, 'quantity'])}
                  <Button icon={<DeleteOutlined />} onClick={() => remove(item.name)} aria-label={t('bundle.remove')} />
                </Space>
              ))}
              <Button icon={<PlusOutlined />} onClick={() => add({ quantity: 1 })} data-testid="bundle-add-component">
                {t('bundle.addComponent')}
              </Button>
            </>
          )}
        </Form.List>
      </Card>
      <Card size="small" title={t('bundle.options')}>
        <Form.List name="options">
          {(items, { add, remove }) => (
            <>
              {items.map((item) => (
                <Space key={item.key} align="start" wrap>
                  <Form.Item name={[item.name, 'productId']} rules={[{ required: true, message: t('form.required') }]} style={{ marginBottom: 8 }}>
                    <ProductPicker excludeId={excludeId} style={{ width: 280 }} placeholder={t('bundle.product')} />
                  </Form.Item>
                  {qty([item.name, 'quantity'])}
                  <Form.Item name={[item.name, 'featureKey']} style={{ marginBottom: 8 }}>
                    <Input placeholder={t('bundle.featureKey')} style={{ width: 120 }} />
                  </Form.Item>
                  <Form.Item name={[item.name, 'isBundled']} valuePropName="checked" style={{ marginBottom: 8 }}>
                    <Switch checkedChildren={t('bundle.included')} unCheckedChildren={t('bundle.extra')} />
                  </Form.Item>
                  <Button icon={<DeleteOutlined />} onClick={() => remove(item.name)} aria-label={t('bundle.remove')} />
                </Space>
              ))}
              <Button icon={<PlusOutlined />} onClick={() => add({ quantity: 1, isBundled: false })}>
                {t('bundle.addOption')}
              </Button>
            </>
          )}
        </Form.List>
      </Card>
      <Card size="small" title={t('bundle.features')}>
        <Form.List name="features">
          {(items, { add, remove }) => (
            <>
              {items.map((item) => (
                <Space key={item.key} align="start" wrap>
                  <Form.Item name={[item.name, 'key']} rules={[{ required: true, message: t('form.required') }]} style={{ marginBottom: 8 }}>
                    <Input placeholder={t('bundle.featureKey')} style={{ width: 120 }} />
                  </Form.Item>
                  <Form.Item name={[item.name, 'nameZh']} rules={[{ required: true, message: t('form.required') }]} style={{ marginBottom: 8 }}>
                    <Input placeholder={t('fields.nameZh')} style={{ width: 150 }} />
                  </Form.Item>
                  <Form.Item name={[item.name, 'nameEn']} style={{ marginBottom: 8 }}>
                    <Input placeholder={t('fields.nameEn')} style={{ width: 150 }} />
                  </Form.Item>
                  <Form.Item name={[item.name, 'minOptions']} style={{ marginBottom: 8 }}>
                    <InputNumber min={0} precision={0} placeholder={t('bundle.min')} style={{ width: 80 }} />
                  </Form.Item>
                  <Form.Item name={[item.name, 'maxOptions']} style={{ marginBottom: 8 }}>
                    <InputNumber min={0} precision={0} placeholder={t('bundle.max')} style={{ width: 80 }} />
                  </Form.Item>
                  <Button icon={<DeleteOutlined />} onClick={() => remove(item.name)} aria-label={t('bundle.remove')} />
                </Space>
              ))}
              <Button icon={<PlusOutlined />} onClick={() => add({ minOptions: 0, maxOptions: 1 })}>
                {t('bundle.addFeature')}
              </Button>
            </>
          )}
        </Form.List>
      </Card>
    </Space>
  );
}
