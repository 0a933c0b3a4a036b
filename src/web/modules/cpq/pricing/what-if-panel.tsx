import { DeleteOutlined, PlayCircleOutlined, PlusOutlined } from '@ant-design/icons';
import { useMutation, useQuery } from '@tanstack/react-query';
import { Alert, Button, Card, Col, DatePicker, Descriptions, Form, Input, InputNumber, Radio, Row, Select, Space, Switch, Table, Tag, Typography } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ACCOUNT_KINDS } from '../../../../server/modules/crm/account-contract.ts';
import type { WhatIfResult } from '../../../../server/modules/pricing/contract.ts';
import { ProblemAlert } from '../../../components/problem-alert.tsx';
import { ApiProblem } from '../../../http/api-problem.ts';
import { useLocale } from '../../../i18n/use-locale.ts';
import { AccountPicker } from '../../crm/accounts/account-picker.tsx';
import { formatMoney } from '../../crm/pipeline/money-display.ts';
import { ProductPicker } from '../catalog/catalog-pickers.tsx';
import { useAllProducts, usePriceBooks } from '../catalog/catalog-queries.ts';
import { ExplanationWaterfall } from './explanation-waterfall.tsx';
import { pricingApi, pricingKeys } from './pricing-api.ts';
import { pickPriceBook, toWhatIfBody, type WhatIfFormValues } from './what-if-values.ts';

type Line = WhatIfResult['lines'][number];
type FormShape = Omit<WhatIfFormValues, 'pricingDate'> & { pricingDate?: Dayjs | null };

/**
 * Price a sample quote against the published rules — with this rule's draft in place of its
 * published version when asked — and read every line's explanation. Nothing is stored.
 */
export function WhatIfPanel({ ruleId, hasDraft, canUseDrafts }: { ruleId: string | null; hasDraft: boolean; canUseDrafts: boolean }) {
  const { t } = useTranslation(['cpq-catalog', 'crm']);
  const locale = useLocale();
  const [form] = Form.useForm<FormShape>();
  const books = usePriceBooks();
  const products = useAllProducts();
  const [notReady, setNotReady] = useState<string | null>(null);
  const defaultBook = useMemo(() => pickPriceBook(books.data?.items ?? [], dayjs().format('YYYY-MM-DD')), [books.data]);
  const customerMode = Form.useWatch('customerMode', form);
  const productLabel = useMemo(() => {
    const byId = new Map((products.data ?? []).map((p) => [p.id, p]));
    return (id: string) => {
      const p = byId.get(id);
      return p ? `${p.sku} · ${locale === 'en' && p.nameEn ? p.nameEn : p.nameZh}` : id;
    };
  }, [products.data, locale]);

  // Rule codes for the explanation texts (the catalogue of rules is small; one page covers it).
  const rules = useQuery({ queryKey: [...pricingKeys.rules({}), 'labels'], queryFn: ({ signal }) => pricingApi.rules({ limit: 200 }, signal), staleTime: 60_000 });
  const labels = useMemo(() => new Map((rules.data?.items ?? []).map((r) => [r.id, r.code])), [rules.data]);
  const run = useMutation({
    mutationFn: (body: Parameters<typeof pricingApi.whatIf>[0]) => pricingApi.whatIf(body),
  });

  const submit = async () => {
    const raw = form.getFieldsValue(true) as FormShape;
    const values: WhatIfFormValues = { ...raw, pricingDate: raw.pricingDate ? raw.pricingDate.format('YYYY-MM-DD') : null, lines: raw.lines ?? [] };
    const book = (books.data?.items ?? []).find((b) => b.id === (values.priceBookId ?? defaultBook?.id));
    const built = toWhatIfBody({ ...values, priceBookId: book?.id }, book, hasDraft && canUseDrafts ? ruleId : null);
    if (!built.ok) {
      setNotReady(t(`whatIf.notReady.${built.reason}`));
      return;
    }
    setNotReady(null);
    run.mutate(built.body);
  };

  const result = run.data;
  return (
    <Card size="small" title={t('whatIf.title')} data-testid="what-if-panel">
      <Typography.Paragraph type="secondary">{t('whatIf.help')}</Typography.Paragraph>
      <Form<FormShape>
        form={form}
        layout="vertical"
        initialValues={{ customerMode: 'sample', includeDraft: true, lines: [{ quantity: 1 }] }}
      >
        <Row gutter={12}>
          <Col span={10}>
            <Form.Item name="priceBookId" label={t('whatIf.priceBook')}>
              <Select
                placeholder={defaultBook ? `${defaultBook.code} · ${defaultBook.currency}` : undefined}
                allowClear
                options={(books.data?.items ?? []).map((b) => ({ value: b.id, label: `${b.code} · ${b.currency}` }))}
                data-testid="what-if-book"
              />
            </Form.Item>
          </Col>
          <Col span={7}>
            <Form.Item name="pricingDate" label={t('whatIf.pricingDate')}>
              <DatePicker style={{ width: '100%' }} placeholder={t('whatIf.today')} />
            </Form.Item>
          </Col>
          <Col span={7}>
            <Form.Item name="termMonths" label={t('whatIf.termMonths')}>
              <InputNumber min={1} max={120} precision={0} style={{ width: '100%' }} data-testid="what-if-term" />
            </Form.Item>
          </Col>
          <Col span={24}>
            <Form.Item name="customerMode" label={t('whatIf.customer')} style={{ marginBottom: 8 }}>
              <Radio.Group
                options={[
                  { value: 'sample', label: t('whatIf.sampleCustomer') },
                  { value: 'account', label: t('whatIf.realAccount') },
                ]}
                data-testid="what-if-customer-mode"
              />
            </Form.Item>
          </Col>
          {customerMode === 'account' ? (
            <Col span={24}>
              <Form.Item name="accountId">
                <AccountPicker placeholder={t('contract.pickAccount')} testId="what-if-account" />
              </Form.Item>
            </Col>
          ) : (
            <>
              <Col span={12}>
                <Form.Item name="customerKind" label={t('whatIf.customerKind')}>
                  <Select allowClear options={ACCOUNT_KINDS.map((k) => ({ value: k, label: t(`crm:enums.kind.${k}`) }))} data-testid="what-if-kind" />
                </Form.Item>
              </Col>
              <Col span={12}>
                <Form.Item name="region" label={t('whatIf.region')}>
                  <Input data-testid="what-if-region" />
                </Form.Item>
              </Col>
            </>
          )}
        </Row>
        <Typography.Text strong>{t('whatIf.lines')}</Typography.Text>
        <Form.List name="lines">
          {(items, { add, remove }) => (
            <div style={{ marginTop: 8 }}>
              {items.map((item) => (
                <Space key={item.key} align="start" wrap data-testid="what-if-line">
                  <Form.Item name={[item.name, 'productId']} style={{ marginBottom: 8 }}>
                    <ProductPicker placeholder={t('fields.product')} style={{ width: 300 }} testId="what-if-product" />
                  </Form.Item>
                  <Form.Item name={[item.name, 'quantity']} style={{ marginBottom: 8 }}>
                    <InputNumber min={1} precision={0} addonBefore={t('fields.quantity')} style={{ width: 150 }} data-testid="what-if-quantity" />
                  </Form.Item>
                  <Form.Item name={[item.name, 'manualDiscountPercent']} style={{ marginBottom: 8 }}>
                    <Input placeholder={t('whatIf.manualDiscount')} suffix="%" style={{ width: 120 }} />
                  </Form.Item>
                  <Button icon={<DeleteOutlined />} onClick={() => remove(item.name)} aria-label={t('bundle.remove')} />
                </Space>
              ))}
              <Button size="small" icon={<PlusOutlined />} onClick={() => add({ quantity: 1 })} data-testid="what-if-add-line">
                {t('whatIf.addLine')}
              </Button>
            </div>
          )}
        </Form.List>
        <Space style={{ marginTop: 12 }} wrap>
          {ruleId && canUseDrafts && (
            <Space size={4}>
              {hasDraft ? (
                <Form.Item name="includeDraft" valuePropName="checked" noStyle>
                  <Switch data-testid="what-if-include-draft" />
                </Form.Item>
              ) : (
                <Switch disabled checked={false} />
              )}
              <Typography.Text type={hasDraft ? undefined : 'secondary'}>{hasDraft ? t('whatIf.includeDraft') : t('whatIf.noDraft')}</Typography.Text>
            </Space>
          )}
          <Button type="primary" icon={<PlayCircleOutlined />} loading={run.isPending} onClick={() => void submit()} data-testid="what-if-run">
            {t('whatIf.run')}
          </Button>
        </Space>
      </Form>
      {notReady && <Alert type="warning" showIcon title={notReady} style={{ marginTop: 12 }} />}
      {run.error instanceof ApiProblem && (
        <div style={{ marginTop: 12 }}>
          <ProblemAlert problem={run.error} unmatched={run.error.errors} />
        </div>
      )}
      {result && !run.isPending && <WhatIfResultView result={result} ruleId={ruleId} productLabel={productLabel} labels={labels} />}
    </Card>
  );
}

function WhatIfResultView({
  result,
  ruleId,
  productLabel,
  labels,
}: {
  result: WhatIfResult;
  ruleId: string | null;
  productLabel: (id: string) => string;
  labels: ReadonlyMap<string, string>;
}) {
  const { t } = useTranslation('cpq-catalog');
  const money = (m: { amount: string; currency: string }) => formatMoney(m);
  return (
    <div style={{ marginTop: 16 }} data-testid="what-if-result">
      <Descriptions size="small" bordered column={4} style={{ marginBottom: 12 }}>
        <Descriptions.Item label={t('whatIf.totals.list')}>{money(result.totals.list)}</Descriptions.Item>
        <Descriptions.Item label={t('whatIf.totals.net')}>
          <span data-testid="what-if-total-net">{money(result.totals.net)}</span>
        </Descriptions.Item>
        <Descriptions.Item label={t('whatIf.totals.tax')}>{money(result.totals.tax)}</Descriptions.Item>
        <Descriptions.Item label={t('whatIf.totals.discount')}>{result.totals.discountPercent !== null ? `${result.totals.discountPercent} %` : '—'}</Descriptions.Item>
      </Descriptions>
      {result.ruleErrors.length > 0 && (
        <Alert
          type="error"
          showIcon
          style={{ marginBottom: 12 }}
          title={t('whatIf.ruleErrors')}
          description={result.ruleErrors.map((e) => `${labels.get(e.ruleId) ?? e.ruleId}: ${e.message}`).join('; ')}
        />
      )}
      {result.advisories.length > 0 && (
        <Alert type="info" showIcon style={{ marginBottom: 12 }} title={t('whatIf.advisories', { count: result.advisories.length })} description={result.advisories.map((a) => String(a['code'])).join(', ')} />
      )}
      <Table<Line>
        size="small"
        rowKey="lineId"
        pagination={false}
        dataSource={result.lines}
        expandable={{
          defaultExpandAllRows: true,
          expandedRowRender: (line) => (
            <ExplanationWaterfall
              steps={line.explanation}
              listUnit={line.listUnit}
              netUnit={line.netUnit}
              currency={result.currency}
              highlightRuleId={ruleId}
              labels={labels}
              testId={`waterfall-${line.lineId}`}
            />
          ),
        }}
        onRow={(l) => ({ 'data-testid': 'what-if-line-result', 'data-line': l.lineId, 'data-status': l.status }) as object}
        columns={[
          { title: t('fields.product'), key: 'product', render: (_, l) => productLabel(l.productId) },
          { title: t('fields.quantity'), dataIndex: 'quantity', align: 'right' },
          { title: t('whatIf.listUnit'), key: 'listUnit', align: 'right', render: (_, l) => (l.listUnit ? formatMoney({ amount: l.listUnit, currency: result.currency }) : '—') },
          {
            title: t('whatIf.netUnit'),
            key: 'netUnit',
            align: 'right',
            render: (_, l) => <span data-testid="what-if-net-unit">{formatMoney({ amount: l.netUnit, currency: result.currency })}</span>,
          },
          { title: t('whatIf.net'), key: 'net', align: 'right', render: (_, l) => money(l.net) },
          { title: t('whatIf.discount'), key: 'discount', align: 'right', render: (_, l) => (l.discountPercent !== null ? `${l.discountPercent} %` : '—') },
          {
            title: t('whatIf.rulesUsed'),
            key: 'rules',
            render: (_, l) => (
              <Space size={4} wrap>
                {l.rulesUsed.map((r) => (
                  <Tag key={r.ruleId} color={r.isDraft ? 'gold' : 'green'} data-testid="what-if-rule-used" data-rule-id={r.ruleId} data-draft={r.isDraft ? 'true' : 'false'}>
                    {r.code ?? t('whatIf.listTiers')} v{r.version}
                    {r.isDraft ? ` · ${t('whatIf.draft')}` : ''}
                  </Tag>
                ))}
                {l.issues.map((i) => (
                  <Tag key={i.code} color="red">
                    {i.message}
                  </Tag>
                ))}
              </Space>
            ),
          },
        ]}
      />
    </div>
  );
}
