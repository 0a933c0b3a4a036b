import { MinusCircleOutlined, PlusOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Button, DatePicker, Form, Input, InputNumber, Modal, Select, Space, type ButtonProps } from 'antd';
import type { Dayjs } from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import {
  type CreateOpportunityBody,
  OPPORTUNITY_CONTACT_ROLES,
  type OpportunityDetail,
  type Pipeline,
} from '../../../../server/modules/crm/opportunity-contract.ts';
import { FORECAST_CATEGORIES } from '../../../../server/modules/crm/pipeline.ts';
import { CURRENCIES, DECIMAL_PATTERN } from '../../../../shared/money.ts';
import { ProblemAlert } from '../../../components/problem-alert.tsx';
import { useDebouncedValue } from '../../../components/use-debounced-value.ts';
import { ApiProblem, type FieldError } from '../../../http/api-problem.ts';
import { applyProblemToForm } from '../../../http/form-errors.ts';
import { newIdempotencyKey } from '../../../http/idempotency-key.ts';
import { useLocale } from '../../../i18n/use-locale.ts';
import { pipelineApi, pipelineKeys } from './pipeline-api.ts';
import { stageLabel } from './pipeline-queries.ts';

interface Values {
  name: string;
  accountId: string;
  amount: string;
  currency: string;
  expectedCloseDate: Dayjs;
  stageKey?: string;
  probability?: number | null;
  forecastCategoryOverride?: string | null;
  nextStep?: string;
  competitors?: string[];
  source?: string;
  productInterest?: string[];
  contacts?: { contactId: string; role: string }[];
}

const FIELDS = ['name', 'accountId', 'amount', 'expectedCloseDate', 'stageKey', 'probability', 'forecastCategoryOverride', 'nextStep', 'competitors', 'source', 'productInterest', 'contacts'];

/** The request body from the form: blanks left out so the server applies its defaults. */
export function toCreateBody(v: Values, pipelineId: string): CreateOpportunityBody {
  const text = (s: string | undefined) => (s && s.trim() !== '' ? s.trim() : undefined);
  return {
    name: v.name.trim(),
    accountId: v.accountId,
    amount: { amount: v.amount.trim(), currency: v.currency as keyof typeof CURRENCIES },
    expectedCloseDate: v.expectedCloseDate.format('YYYY-MM-DD'),
    pipelineId,
    ...(v.stageKey ? { stageKey: v.stageKey } : {}),
    ...(v.probability !== undefined && v.probability !== null ? { probability: v.probability } : {}),
    ...(v.forecastCategoryOverride ? { forecastCategoryOverride: v.forecastCategoryOverride as CreateOpportunityBody['forecastCategoryOverride'] } : {}),
    ...(text(v.nextStep) ? { nextStep: text(v.nextStep)! } : {}),
    ...(v.competitors?.length ? { competitors: v.competitors } : {}),
    ...(text(v.source) ? { source: text(v.source)! } : {}),
    ...(v.productInterest?.length ? { productInterest: v.productInterest } : {}),
    ...(v.contacts?.length ? { contacts: v.contacts.filter((c) => c?.contactId && c.role) as CreateOpportunityBody['contacts'] } : {}),
  };
}

/** A new deal in the pipeline on screen: money as a decimal string with its currency, contact roles optional. */
export function NewOpportunityModal({ open, pipeline, onClose, onCreated }: { open: boolean; pipeline: Pipeline; onClose: () => void; onCreated: (deal: OpportunityDetail) => void }) {
  const { t } = useTranslation(['pipeline', 'common']);
  const locale = useLocale();
  const [form] = Form.useForm<Values>();
  const client = useQueryClient();
  // Mounted per opening (the page renders it only while open): one Idempotency-Key per new deal.
  const [key] = useState(newIdempotencyKey);
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const [unmatched, setUnmatched] = useState<FieldError[]>([]);
  const [accountSearch, setAccountSearch] = useState('');
  const q = useDebouncedValue(accountSearch.trim());
  const accountId = Form.useWatch('accountId', form);
  const accounts = useQuery({ queryKey: pipelineKeys.accounts(q), queryFn: ({ signal }) => pipelineApi.accounts(q || undefined, signal), enabled: open });
  const contacts = useQuery({
    queryKey: pipelineKeys.contacts(accountId ?? ''),
    queryFn: ({ signal }) => pipelineApi.contacts(accountId!, signal),
    enabled: open && !!accountId,
  });

  const create = useMutation({
    mutationFn: (v: Values) => pipelineApi.create(toCreateBody(v, pipeline.id), key),
    onSuccess: (deal) => {
      void client.invalidateQueries({ queryKey: pipelineKeys.all });
      onCreated(deal);
    },
    onError: (err) => {
      if (err instanceof ApiProblem) {
        setProblem(err);
        setUnmatched(applyProblemToForm(form, err, FIELDS));
      } else setProblem(null);
    },
  });

  return (
    <Modal
      open={open}
      title={t('newDeal.title')}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={t('common:actions.save')}
      cancelText={t('common:actions.cancel')}
      confirmLoading={create.isPending}
      okButtonProps={{ 'data-testid': 'new-deal-submit' } as ButtonProps}
      width={720}
      destroyOnHidden
    >
      <ProblemAlert problem={problem} unmatched={unmatched} />
      <Form<Values> form={form} layout="vertical" initialValues={{ currency: 'CNY' }} onFinish={(v) => create.mutate(v)} data-testid="new-deal-form">
        <Form.Item name="name" label={t('fields.name')} rules={[{ required: true, whitespace: true, message: t('form.required') }]}>
          <Input maxLength={200} data-testid="new-deal-name" />
        </Form.Item>
        <Form.Item name="accountId" label={t('fields.account')} rules={[{ required: true, message: t('form.required') }]}>
          <Select
            showSearch={{ filterOption: false, onSearch: setAccountSearch }}
            loading={accounts.isFetching}
            options={(accounts.data?.items ?? []).map((a) => ({ value: a.id, label: locale === 'en' && a.nameEn ? a.nameEn : a.nameZh }))}
            data-testid="new-deal-account"
          />
        </Form.Item>
        <Space.Compact style={{ width: '100%' }}>
          <Form.Item
            name="amount"
            label={t('fields.amount')}
            style={{ flex: 1 }}
            rules={[
              { required: true, message: t('form.required') },
              { pattern: DECIMAL_PATTERN, message: t('newDeal.amountFormat') },
            ]}
          >
            <Input inputMode="decimal" placeholder="1000000.00" data-testid="new-deal-amount" />
          </Form.Item>
          <Form.Item name="currency" label={t('fields.currency')} style={{ width: 120 }}>
            <Select options={Object.keys(CURRENCIES).map((c) => ({ value: c, label: c }))} data-testid="new-deal-currency" />
          </Form.Item>
        </Space.Compact>
        <Space wrap style={{ width: '100%' }} size={16}>
          <Form.Item name="expectedCloseDate" label={t('fields.expectedCloseDate')} rules={[{ required: true, message: t('form.required') }]}>
            <DatePicker data-testid="new-deal-close" />
          </Form.Item>
          <Form.Item name="stageKey" label={t('fields.stage')}>
            <Select
              allowClear
              style={{ width: 180 }}
              placeholder={stageLabel(pipeline.definition.stages[0], pipeline.definition.stages[0]?.key ?? '', locale)}
              options={pipeline.definition.stages.filter((s) => s.kind === 'open').map((s) => ({ value: s.key, label: stageLabel(s, s.key, locale) }))}
              data-testid="new-deal-stage"
            />
          </Form.Item>
          <Form.Item name="probability" label={t('fields.probability')} tooltip={t('newDeal.probabilityHint')}>
            <InputNumber min={0} max={100} precision={0} addonAfter="%" />
          </Form.Item>
          <Form.Item name="forecastCategoryOverride" label={t('fields.forecastCategoryOverride')} tooltip={t('newDeal.overrideHint')}>
            <Select
              allowClear
              style={{ width: 160 }}
              options={FORECAST_CATEGORIES.filter((c) => c !== 'closed').map((c) => ({ value: c, label: t(`categories.${c}`) }))}
            />
          </Form.Item>
        </Space>
        <Form.Item name="nextStep" label={t('fields.nextStep')}>
          <Input maxLength={500} />
        </Form.Item>
        <Space wrap style={{ width: '100%' }} size={16}>
          <Form.Item name="competitors" label={t('fields.competitors')}>
            <Select mode="tags" style={{ width: 320 }} open={false} />
          </Form.Item>
          <Form.Item name="productInterest" label={t('fields.productInterest')}>
            <Select mode="tags" style={{ width: 320 }} open={false} />
          </Form.Item>
        </Space>
        <Form.Item name="source" label={t('fields.source')}>
          <Input maxLength={100} />
        </Form.Item>
        <Form.List name="contacts">
          {(items, { add, remove }) => (
            <Form.Item label={t('fields.contacts')}>
              {items.map((item) => (
                <Space key={item.key} align="baseline" style={{ display: 'flex' }}>
                  <Form.Item name={[item.name, 'contactId']} rules={[{ required: true, message: t('form.required') }]}>
                    <Select
                      style={{ width: 260 }}
                      disabled={!accountId}
                      loading={contacts.isFetching}
                      options={(contacts.data?.items ?? []).map((c) => ({ value: c.id, label: c.title ? `${c.name} · ${c.title}` : c.name }))}
                    />
                  </Form.Item>
                  <Form.Item name={[item.name, 'role']} rules={[{ required: true, message: t('form.required') }]}>
                    <Select style={{ width: 180 }} options={OPPORTUNITY_CONTACT_ROLES.map((r) => ({ value: r, label: t(`contactRoles.${r}`) }))} />
                  </Form.Item>
                  <MinusCircleOutlined onClick={() => remove(item.name)} />
                </Space>
              ))}
              <Button type="dashed" icon={<PlusOutlined />} onClick={() => add()} disabled={!accountId}>
                {t('newDeal.addContact')}
              </Button>
            </Form.Item>
          )}
        </Form.List>
      </Form>
    </Modal>
  );
}
