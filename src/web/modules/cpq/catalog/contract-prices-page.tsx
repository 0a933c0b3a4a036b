import { PlusOutlined } from '@ant-design/icons';
import { useQueryClient } from '@tanstack/react-query';
import { App, Button, Card, Col, DatePicker, Empty, Form, Input, Modal, Row, Select, Space, Table, Tag, Typography } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router-dom';
import type { ContractPrice, ContractPriceList } from '../../../../server/modules/catalog/contract.ts';
import { CURRENCIES } from '../../../../shared/money.ts';
import { PageHeader } from '../../../components/page-header.tsx';
import { ProblemAlert } from '../../../components/problem-alert.tsx';
import { ApiProblem, type FieldError } from '../../../http/api-problem.ts';
import { useLocale } from '../../../i18n/use-locale.ts';
import { useSession } from '../../org/auth/use-session.ts';
import { AccountPicker } from '../../crm/accounts/account-picker.tsx';
import { formatMoney } from '../../crm/pipeline/money-display.ts';
import { catalogApi, catalogKeys } from './catalog-api.ts';
import { ProductPicker } from './catalog-pickers.tsx';
import { useAllProducts, useContractPrices } from './catalog-queries.ts';
import { mapProblemToFields } from './problem-fields.ts';

type Effective = ContractPriceList['effective'][number];

/** /cpq/contract-prices?accountId=…: an account's contracted prices and what a quote on a date would use (inherited ones included). */
export function ContractPricesPage() {
  const { t } = useTranslation(['cpq-catalog', 'common']);
  const locale = useLocale();
  const canWrite = useSession().can('catalog.contract_prices.write');
  const [params, setParams] = useSearchParams();
  const accountId = params.get('accountId') || undefined;
  const onDate = params.get('onDate') || undefined;
  const prices = useContractPrices(accountId, onDate);
  const products = useAllProducts();
  const productLabel = useMemo(() => {
    const byId = new Map((products.data ?? []).map((p) => [p.id, `${p.sku} · ${locale === 'en' && p.nameEn ? p.nameEn : p.nameZh}`]));
    return (id: string) => byId.get(id) ?? id;
  }, [products.data, locale]);
  const [editing, setEditing] = useState<ContractPrice | 'new' | null>(null);
  const set = (key: string, value: string | undefined) => {
    const next = new URLSearchParams(params);
    if (value) next.set(key, value);
    else next.delete(key);
    setParams(next, { replace: true });
  };

  return (
    <div data-testid="contract-prices-page">
      <PageHeader title={t('contract.title')} subtitle={t('contract.subtitle')} />
      <Space wrap style={{ marginBottom: 16 }}>
        <AccountPicker value={accountId ?? null} onChange={(v) => set('accountId', v ?? undefined)} placeholder={t('contract.pickAccount')} style={{ width: 340 }} testId="contract-account" />
        <DatePicker
          value={onDate ? dayjs(onDate) : null}
          onChange={(d: Dayjs | null) => set('onDate', d ? d.format('YYYY-MM-DD') : undefined)}
          placeholder={t('contract.onDate')}
          data-testid="contract-on-date"
        />
        {accountId && <Link to={`/crm/accounts/${accountId}`}>{t('contract.openAccount')}</Link>}
        {accountId && canWrite && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing('new')} data-testid="contract-add">
            {t('contract.add')}
          </Button>
        )}
      </Space>
      {!accountId && <Empty description={t('contract.noAccount')} />}
      {prices.error instanceof ApiProblem && <ProblemAlert problem={prices.error} />}
      {accountId && prices.data && (
        <Row gutter={16}>
          <Col xs={24} xl={14}>
            <Card size="small" title={t('contract.own')}>
              <Table<ContractPrice>
                rowKey="id"
                size="small"
                pagination={false}
                dataSource={prices.data.items}
                locale={{ emptyText: t('contract.noneOwn') }}
                onRow={(c) => ({ 'data-testid': 'contract-price-row', 'data-id': c.id }) as object}
                columns={[
                  { title: t('fields.product'), key: 'product', render: (_, c) => productLabel(c.productId) },
                  { title: t('fields.unitPrice'), key: 'price', align: 'right', render: (_, c) => formatMoney({ amount: c.unitPrice, currency: c.currency }) },
                  { title: t('fields.validity'), key: 'validity', render: (_, c) => `${c.validFrom} ~ ${c.validTo ?? t('books.openEnded')}` },
                  {
                    key: 'edit',
                    width: 80,
                    render: (_, c) =>
                      canWrite && (
                        <Button size="small" type="link" onClick={() => setEditing(c)}>
                          {t('common:actions.edit')}
                        </Button>
                      ),
                  },
                ]}
              />
            </Card>
          </Col>
          <Col xs={24} xl={10}>
            <Card size="small" title={t('contract.effective', { date: prices.data.onDate })}>
              <Table<Effective>
                rowKey={(e) => `${e.productId}:${e.currency}`}
                size="small"
                pagination={false}
                dataSource={prices.data.effective}
                locale={{ emptyText: t('contract.noneEffective') }}
                columns={[
                  { title: t('fields.product'), key: 'product', render: (_, e) => productLabel(e.productId) },
                  { title: t('fields.unitPrice'), key: 'price', align: 'right', render: (_, e) => formatMoney({ amount: e.unitPrice, currency: e.currency }) },
                  {
                    title: t('contract.source'),
                    key: 'source',
                    render: (_, e) =>
                      e.isInherited ? (
                        <Link to={`/cpq/contract-prices?accountId=${e.fromAccountId}`}>
                          <Tag color="gold">{t('contract.inherited')}</Tag>
                        </Link>
                      ) : (
                        <Tag>{t('contract.ownTag')}</Tag>
                      ),
                  },
                ]}
              />
            </Card>
          </Col>
        </Row>
      )}
      {editing && accountId && <ContractPriceModal accountId={accountId} price={editing === 'new' ? undefined : editing} onClose={() => setEditing(null)} />}
    </div>
  );
}

interface ContractFormValues {
  productId?: string | null;
  currency: string;
  unitPrice: string;
  validFrom: Dayjs;
  validTo?: Dayjs | null;
}

const CONTRACT_FIELDS = ['productId', 'currency', 'unitPrice', 'validFrom', 'validTo'];

function ContractPriceModal({ accountId, price, onClose }: { accountId: string; price: ContractPrice | undefined; onClose: () => void }) {
  const { t } = useTranslation(['cpq-catalog', 'common']);
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [form] = Form.useForm<ContractFormValues>();
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const [unmatched, setUnmatched] = useState<FieldError[]>([]);
  const [saving, setSaving] = useState(false);
  const save = async () => {
    let v: ContractFormValues;
    try {
      v = await form.validateFields();
    } catch {
      return;
    }
    setSaving(true);
    setProblem(null);
    const validTo = v.validTo ? v.validTo.format('YYYY-MM-DD') : null;
    try {
      if (price) {
        await catalogApi.updateContractPrice(accountId, price.id, { version: price.version, unitPrice: v.unitPrice.trim(), validFrom: v.validFrom.format('YYYY-MM-DD'), validTo });
      } else {
        await catalogApi.createContractPrice(accountId, {
          productId: v.productId ?? '',
          currency: v.currency as 'CNY',
          unitPrice: v.unitPrice.trim(),
          validFrom: v.validFrom.format('YYYY-MM-DD'),
          validTo,
        });
      }
      void message.success(t('contract.saved'));
      void queryClient.invalidateQueries({ queryKey: ['catalog', 'contract-prices', accountId] });
      void queryClient.invalidateQueries({ queryKey: catalogKeys.contractPrices(accountId, undefined) });
      onClose();
    } catch (err) {
      if (!(err instanceof ApiProblem)) throw err;
      setProblem(err);
      const { fields, unmatched: rest } = mapProblemToFields(err.errors, (s) => (CONTRACT_FIELDS.includes(s[0]!) ? s[0]! : null));
      form.setFields([...CONTRACT_FIELDS.map((name) => ({ name, errors: [] as string[] })), ...fields] as Parameters<typeof form.setFields>[0]);
      setUnmatched(rest);
    } finally {
      setSaving(false);
    }
  };
  const required = [{ required: true, message: t('form.required') }];
  return (
    <Modal open title={price ? t('contract.editTitle') : t('contract.add')} onCancel={onClose} onOk={() => void save()} confirmLoading={saving} okText={t('common:actions.save')} data-testid="contract-price-form">
      <ProblemAlert problem={problem} unmatched={unmatched} />
      <Form<ContractFormValues>
        form={form}
        layout="vertical"
        initialValues={
          price
            ? { productId: price.productId, currency: price.currency, unitPrice: price.unitPrice, validFrom: dayjs(price.validFrom), validTo: price.validTo ? dayjs(price.validTo) : null }
            : { currency: 'CNY', validFrom: dayjs() }
        }
      >
        <Form.Item name="productId" label={t('fields.product')} rules={required}>
          <ProductPicker testId="contract-form-product" allowClear={false} disabled={!!price} />
        </Form.Item>
        <Space.Compact style={{ width: '100%' }}>
          <Form.Item name="currency" label={t('fields.currency')} rules={required} style={{ width: 120 }}>
            <Select disabled={!!price} options={Object.keys(CURRENCIES).map((c) => ({ value: c, label: c }))} />
          </Form.Item>
          <Form.Item name="unitPrice" label={t('fields.unitPrice')} rules={required} style={{ flex: 1 }}>
            <Input inputMode="decimal" data-testid="contract-form-price" />
          </Form.Item>
        </Space.Compact>
        <Space>
          <Form.Item name="validFrom" label={t('fields.validFrom')} rules={required}>
            <DatePicker />
          </Form.Item>
          <Form.Item name="validTo" label={t('fields.validTo')}>
            <DatePicker />
          </Form.Item>
        </Space>
        <Typography.Text type="secondary">{t('contract.help')}</Typography.Text>
      </Form>
    </Modal>
  );
}
