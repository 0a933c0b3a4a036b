import { DeleteOutlined, PlusOutlined, QuestionCircleOutlined } from '@ant-design/icons';
import { useMutation } from '@tanstack/react-query';
import { Alert, Button, Card, DatePicker, Form, Input, InputNumber, Select, Space, Spin, Table, Tag, Tooltip, Typography } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Product } from '../../../../server/modules/catalog/contract.ts';
import type { ExplainedPricedLine, QuoteDetail, QuotePricedLine, QuoteVersion } from '../../../../server/modules/quotes/contract.ts';
import { DECIMAL_PATTERN } from '../../../../shared/money.ts';
import { ProblemAlert } from '../../../components/problem-alert.tsx';
import { ApiProblem, type FieldError } from '../../../http/api-problem.ts';
import { formatMoney, groupDigits } from '../../crm/pipeline/money-display.ts';
import { FloorTag, TotalsTable } from './quote-figures.tsx';
import { formatPercent } from './quote-format.ts';
import { type HeaderFormValue, type LineFormValue, type PriceMode, linesOfVersion, newLine, routeProblemErrors, toLineInputs, toPreviewBody, toUpdateBody } from './quote-line-form.ts';
import { ProductPicker } from './product-picker.tsx';
import { quotesApi } from './quotes-api.ts';
import { usePricePreview, useQuoteChanged } from './quotes-queries.ts';
import { VersionActions } from './version-actions.tsx';

interface EditorValues {
  pricingDate: Dayjs;
  validUntil: Dayjs;
  termMonths?: number | null;
  terms?: string;
  lines: LineFormValue[];
}

const HEADER_FIELDS = ['pricingDate', 'validUntil', 'termMonths', 'terms'];

function initialValues(version: QuoteVersion): EditorValues {
  return {
    pricingDate: dayjs(version.pricingDate),
    validUntil: dayjs(version.validUntil),
    termMonths: version.termMonths,
    terms: version.terms,
    lines: linesOfVersion(version),
  };
}

function headerOf(v: EditorValues): HeaderFormValue {
  return {
    pricingDate: v.pricingDate ? v.pricingDate.format('YYYY-MM-DD') : '',
    validUntil: v.validUntil ? v.validUntil.format('YYYY-MM-DD') : '',
    termMonths: v.termMonths ?? null,
    terms: v.terms ?? '',
  };
}

/**
 * A draft version being edited: header, lines (product, quantity, term, price mode), live prices
 * from the server's preview (debounced) and the totals, saved with the version's `version`.
 */
export function QuoteEditor({
  quote,
  version,
  products,
  onExplain,
}: {
  quote: QuoteDetail;
  version: QuoteVersion;
  products: ReadonlyMap<string, Product>;
  onExplain: (line: QuotePricedLine | ExplainedPricedLine) => void;
}) {
  const { t } = useTranslation(['cpq-quotes', 'common']);
  const [form] = Form.useForm<EditorValues>();
  const quoteChanged = useQuoteChanged();
  const start = useMemo(() => initialValues(version), [version]);
  const [values, setValues] = useState<EditorValues>(start);
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const [unmatched, setUnmatched] = useState<FieldError[]>([]);

  const header = headerOf(values);
  const rows = values.lines ?? [];
  const mapped = toLineInputs(rows);
  const previewBody = header.pricingDate && header.validUntil && !mapped.hasMalformed ? toPreviewBody(quote, header, rows) : null;
  const preview = usePricePreview(previewBody);
  const savedBody = JSON.stringify(toUpdateBody(headerOf(start), start.lines, 0));
  const isDirty = JSON.stringify(toUpdateBody(header, rows, 0)) !== savedBody;
  const pricedById = new Map((preview.data?.priced ?? (isDirty ? [] : version.priced)).map((l) => [l.lineId, l]));
  const components = (rowId: string) => (preview.data?.priced ?? version.priced).filter((l) => l.parentLineId === rowId);
  const totals = preview.data?.totals ?? version.totals;
  // A previewed line is explained from the preview's steps; a saved one by the server when its drawer opens.
  const explain = (p: QuotePricedLine) => {
    const e = preview.data?.priced.includes(p) ? preview.data.explanations : null;
    onExplain(e ? { ...p, explanation: (e.lines[p.lineId] ?? []).map((i) => e.steps[i]!) } : p);
  };

  const save = useMutation({
    mutationFn: () => quotesApi.updateVersion(version.id, toUpdateBody(header, rows, version.version)),
    onSuccess: (saved) => {
      setProblem(null);
      setUnmatched([]);
      quoteChanged(saved);
    },
    onError: (err) => {
      if (!(err instanceof ApiProblem)) return;
      setProblem(err);
      const routed = routeProblemErrors(err.errors, mapped.formIndex, HEADER_FIELDS);
      form.setFields([
        ...HEADER_FIELDS.map((name) => ({ name, errors: routed.header.filter((e) => e.field === name).map((e) => e.message) })),
        ...routed.lines.map((e) => ({ name: ['lines', e.row, e.field], errors: [e.message] })),
      ] as Parameters<typeof form.setFields>[0]);
      setUnmatched(routed.other);
    },
  });

  const previewProblem = preview.error instanceof ApiProblem ? preview.error : null;
  const previewRowErrors = previewProblem ? routeProblemErrors(previewProblem.errors, mapped.formIndex, HEADER_FIELDS) : null;

  return (
    <div data-testid="quote-editor" data-dirty={isDirty ? 'true' : 'false'}>
      <ProblemAlert problem={problem} unmatched={unmatched} />
      {problem?.isVersionConflict && (
        <Alert type="warning" showIcon style={{ marginBottom: 16 }} title={t('editor.conflict')} data-testid="editor-conflict" />
      )}
      <Form<EditorValues>
        form={form}
        layout="vertical"
        initialValues={start}
        onValuesChange={() => setValues(form.getFieldsValue(true) as EditorValues)}
        data-testid="quote-editor-form"
      >
        <Card size="small" title={t('editor.header')} style={{ marginBottom: 16 }}>
          <Space wrap size={16} align="start">
            <Form.Item name="pricingDate" label={t('fields.pricingDate')} rules={[{ required: true, message: t('editor.required') }]}>
              <DatePicker allowClear={false} data-testid="editor-pricing-date" />
            </Form.Item>
            <Form.Item name="validUntil" label={t('fields.validUntil')} rules={[{ required: true, message: t('editor.required') }]}>
              <DatePicker allowClear={false} data-testid="editor-valid-until" />
            </Form.Item>
            <Form.Item name="termMonths" label={t('fields.termMonths')}>
              <InputNumber min={1} max={120} precision={0} suffix={t('editor.months')} style={{ width: 140 }} data-testid="editor-term" />
            </Form.Item>
          </Space>
          <Form.Item name="terms" label={t('fields.terms')} style={{ marginBottom: 0 }}>
            <Input.TextArea rows={2} maxLength={20_000} data-testid="editor-terms" />
          </Form.Item>
        </Card>

        <Card
          size="small"
          title={
            <Space>
              {t('editor.lines')}
              {preview.isFetching && <Spin size="small" />}
              {preview.data && (
                <Tag color={preview.data.approvalRequired ? 'warning' : 'success'} data-testid="editor-approval-required" data-required={String(preview.data.approvalRequired)}>
                  {preview.data.approvalRequired ? t('editor.approvalRequired') : t('editor.noApprovalRequired')}
                </Tag>
              )}
            </Space>
          }
          style={{ marginBottom: 16 }}
        >
          {previewProblem && (
            <Alert
              type="warning"
              showIcon
              style={{ marginBottom: 12 }}
              title={previewProblem.title}
              description={[previewProblem.detail, ...(previewRowErrors?.lines ?? []).map((e) => `#${e.row + 1} ${e.message}`), ...(previewRowErrors?.other ?? []).map((e) => e.message)]
                .filter(Boolean)
                .join(' · ')}
              data-testid="preview-problem"
            />
          )}
          <Form.List name="lines">
            {(fields, { add, remove }) => (
              <>
                <Table
                  rowKey="key"
                  size="small"
                  pagination={false}
                  dataSource={fields}
                  scroll={{ x: 'max-content' }}
                  locale={{ emptyText: t('editor.noLines') }}
                  data-testid="editor-lines"
                  onRow={(f) => ({ 'data-testid': 'editor-line', 'data-line': rows[f.name]?.id }) as object}
                  columns={[
                    { title: '#', key: 'id', width: 50, render: (_, f) => rows[f.name]?.id },
                    {
                      title: t('fields.product'),
                      key: 'product',
                      render: (_, f) => {
                        const kids = components(rows[f.name]?.id ?? '');
                        return (
                          <>
                            <Form.Item name={[f.name, 'productId']} rules={[{ required: true, message: t('editor.required') }]} style={{ marginBottom: 0 }}>
                              <ProductPicker products={products} placeholder={t('editor.pickProduct')} testId="line-product" width={220} />
                            </Form.Item>
                            {kids.length > 0 && (
                              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                                {t('editor.includes', { count: kids.length })}
                              </Typography.Text>
                            )}
                          </>
                        );
                      },
                    },
                    {
                      title: t('fields.quantity'),
                      key: 'quantity',
                      render: (_, f) => (
                        <Form.Item name={[f.name, 'quantity']} rules={[{ required: true, message: t('editor.required') }]} style={{ marginBottom: 0 }}>
                          <InputNumber min={1} precision={0} style={{ width: 80 }} data-testid="line-quantity" />
                        </Form.Item>
                      ),
                    },
                    {
                      title: t('fields.lineTerm'),
                      key: 'term',
                      render: (_, f) => (
                        <Form.Item name={[f.name, 'termMonths']} style={{ marginBottom: 0 }}>
                          <InputNumber min={1} max={120} precision={0} style={{ width: 64 }} data-testid="line-term" />
                        </Form.Item>
                      ),
                    },
                    {
                      title: t('fields.price'),
                      key: 'price',
                      render: (_, f) => <PriceInputs name={f.name} mode={rows[f.name]?.priceMode ?? 'list'} />,
                    },
                    {
                      title: t('lines.netUnit'),
                      key: 'unit',
                      align: 'right',
                      render: (_, f) => {
                        const p = pricedById.get(rows[f.name]?.id ?? '');
                        if (!p) return '—';
                        return (
                          <>
                            <div data-testid="line-net-unit">{groupDigits(p.netUnit)}</div>
                            {p.listUnit && (
                              <Typography.Text type="secondary" style={{ fontSize: 12 }} data-testid="line-list-unit">
                                {t('lines.listShort', { amount: groupDigits(p.listUnit) })}
                              </Typography.Text>
                            )}
                          </>
                        );
                      },
                    },
                    {
                      title: t('lines.discount'),
                      key: 'discount',
                      align: 'right',
                      render: (_, f) => {
                        const p = pricedById.get(rows[f.name]?.id ?? '');
                        return <span data-testid="line-discount">{p ? formatPercent(p.discountPercent) : '—'}</span>;
                      },
                    },
                    {
                      title: t('lines.net'),
                      key: 'net',
                      align: 'right',
                      render: (_, f) => {
                        const p = pricedById.get(rows[f.name]?.id ?? '');
                        if (!p) return '—';
                        return (
                          <>
                            <div data-testid="line-net">{formatMoney(p.net)}</div>
                            <Typography.Text type="secondary" style={{ fontSize: 12 }} data-testid="line-tax">
                              {t('lines.taxShort', { amount: formatMoney(p.tax), percent: formatPercent(p.taxPercent) })}
                            </Typography.Text>
                          </>
                        );
                      },
                    },
                    {
                      title: '',
                      key: 'actions',
                      render: (_, f) => {
                        const p = pricedById.get(rows[f.name]?.id ?? '');
                        return (
                          <Space size={0}>
                            {p && <FloorTag line={p} compact />}
                            {p && (
                              <Tooltip title={t('actions.explain')}>
                                <Button size="small" type="text" icon={<QuestionCircleOutlined />} onClick={() => explain(p)} data-testid="explain-line" />
                              </Tooltip>
                            )}
                            <Tooltip title={t('editor.removeLine')}>
                              <Button size="small" type="text" danger icon={<DeleteOutlined />} onClick={() => remove(f.name)} data-testid="line-remove" />
                            </Tooltip>
                          </Space>
                        );
                      },
                    },
                  ]}
                  expandable={{
                    expandedRowRender: (f) => (
                      <Form.Item name={[f.name, 'notes']} label={t('fields.notes')} style={{ marginBottom: 0 }}>
                        <Input.TextArea rows={1} maxLength={2000} data-testid="line-notes" />
                      </Form.Item>
                    ),
                  }}
                />
                <Button
                  type="dashed"
                  icon={<PlusOutlined />}
                  style={{ marginTop: 12 }}
                  onClick={() => add(newLine((form.getFieldValue('lines') as LineFormValue[] | undefined) ?? []))}
                  data-testid="editor-add-line"
                >
                  {t('editor.addLine')}
                </Button>
              </>
            )}
          </Form.List>
        </Card>
      </Form>

      {/* Removing every line leaves nothing to price: the last preview's totals would be stale. */}
      {(mapped.lines.length > 0 || !isDirty) && <TotalsTable totals={totals} />}

      <div style={{ marginTop: 16 }}>
        <VersionActions
          quote={quote}
          version={version}
          approvalRequired={isDirty || preview.isPlaceholderData ? undefined : preview.data?.approvalRequired}
          isDirty={isDirty}
          save={{
            onSave: () => {
              void form
                .validateFields()
                .then(() => save.mutate())
                .catch(() => undefined);
            },
            saving: save.isPending,
          }}
        />
      </div>
    </div>
  );
}

/** Price mode, then the manual discount % or the manual unit price (a decimal string, exact). */
function PriceInputs({ name, mode }: { name: number; mode: PriceMode }) {
  const { t } = useTranslation('cpq-quotes');
  const decimal = { pattern: DECIMAL_PATTERN, message: t('editor.decimal') };
  return (
    <Space.Compact>
      <Form.Item name={[name, 'priceMode']} style={{ marginBottom: 0 }}>
        <Select<PriceMode>
          style={{ width: 110 }}
          popupMatchSelectWidth={false}
          options={(['list', 'discount', 'price'] as const).map((m) => ({ value: m, label: t(`priceModes.${m}`) }))}
          data-testid="line-price-mode"
        />
      </Form.Item>
      {mode === 'discount' && (
        <Form.Item name={[name, 'manualDiscountPercent']} rules={[decimal]} style={{ marginBottom: 0 }}>
          <Input inputMode="decimal" suffix="%" style={{ width: 90 }} placeholder="10" data-testid="line-discount-input" />
        </Form.Item>
      )}
      {mode === 'price' && (
        <Form.Item name={[name, 'manualUnitPrice']} rules={[decimal]} style={{ marginBottom: 0 }}>
          <Input inputMode="decimal" style={{ width: 110 }} placeholder="0.00" data-testid="line-unit-price-input" />
        </Form.Item>
      )}
    </Space.Compact>
  );
}
