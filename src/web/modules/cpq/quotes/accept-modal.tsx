import { MinusCircleOutlined, PlusOutlined } from '@ant-design/icons';
import { useMutation } from '@tanstack/react-query';
import { Button, DatePicker, Form, Input, Modal, Radio, Select, Space, Typography, type ButtonProps } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AcceptedQuote } from '../../../../server/modules/quotes/approval-contract.ts';
import type { QuoteVersion } from '../../../../server/modules/quotes/contract.ts';
import { ProblemAlert } from '../../../components/problem-alert.tsx';
import { ApiProblem, type FieldError } from '../../../http/api-problem.ts';
import { BILLING_TYPES, type BillingType, SUBSCRIPTION_PERIODS, sumPercents, toBillingPlan } from './billing-plan.ts';
import { quotesApi } from './quotes-api.ts';

interface AcceptValues {
  type: BillingType;
  dueDate?: Dayjs | null;
  milestones?: { name?: string; percent?: string; dueDate?: Dayjs | null }[];
  periodMonths?: number;
  signedDate?: Dayjs | null;
  customerReference?: string;
}

const day = (d: Dayjs | null | undefined) => (d ? d.format('YYYY-MM-DD') : undefined);

/** Accept a sent version: the billing plan (one-time, milestones summing to 100 %, subscription), the signing date and reference. */
export function AcceptModal({ version, onClose, onAccepted }: { version: QuoteVersion; onClose: () => void; onAccepted: (result: AcceptedQuote) => void }) {
  const { t } = useTranslation(['cpq-quotes', 'common']);
  const [form] = Form.useForm<AcceptValues>();
  const type = Form.useWatch('type', form) ?? 'one_time';
  const milestones = Form.useWatch('milestones', form) ?? [];
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const [unmatched, setUnmatched] = useState<FieldError[]>([]);
  const [planError, setPlanError] = useState<string | null>(null);

  const accept = useMutation({
    mutationFn: (body: Parameters<typeof quotesApi.accept>[1]) => quotesApi.accept(version.id, body),
    onSuccess: onAccepted,
    onError: (err) => {
      if (!(err instanceof ApiProblem)) return;
      setProblem(err);
      const rest: FieldError[] = [];
      const fields: { name: (string | number)[]; errors: string[] }[] = [];
      for (const e of err.errors) {
        const segs = e.path.split('.').filter((s) => s !== '' && s !== 'body');
        if (segs[0] === 'billing') segs.shift();
        const name = segs.map((s) => (/^\d+$/.test(s) ? Number(s) : s));
        if (name.length > 0 && ['signedDate', 'customerReference', 'dueDate', 'milestones', 'periodMonths'].includes(String(name[0]))) fields.push({ name, errors: [e.message] });
        else rest.push(e);
      }
      form.setFields(fields as Parameters<typeof form.setFields>[0]);
      setUnmatched(rest);
    },
  });

  const submit = (v: AcceptValues) => {
    const result = toBillingPlan({
      type: v.type,
      dueDate: day(v.dueDate),
      milestones: (v.milestones ?? []).map((m) => ({ name: m?.name, percent: m?.percent, dueDate: day(m?.dueDate) })),
      periodMonths: v.periodMonths,
    });
    if (!result.ok) {
      const sumIssue = result.issues.find((i) => i.key === 'percentSum' || i.key === 'milestonesRequired');
      setPlanError(sumIssue ? t(`billing.errors.${sumIssue.key}`, { sum: sumIssue.sum ?? '0' }) : null);
      form.setFields(
        result.issues.filter((i) => i.path.length > 1 || i.key === 'periodRequired').map((i) => ({ name: i.path, errors: [t(`billing.errors.${i.key}`, { sum: i.sum ?? '' })] })) as Parameters<typeof form.setFields>[0],
      );
      return;
    }
    setPlanError(null);
    accept.mutate({
      version: version.version,
      billing: result.plan,
      ...(v.signedDate ? { signedDate: day(v.signedDate)! } : {}),
      ...(v.customerReference?.trim() ? { customerReference: v.customerReference.trim() } : {}),
    });
  };

  return (
    <Modal
      open
      width={720}
      title={t('accept.title', { version: version.number })}
      okText={t('accept.confirm')}
      cancelText={t('common:actions.cancel')}
      okButtonProps={{ loading: accept.isPending, 'data-testid': 'accept-confirm' } as ButtonProps}
      onOk={() => form.submit()}
      onCancel={onClose}
      destroyOnHidden
    >
      <ProblemAlert problem={problem} unmatched={unmatched} />
      <Form<AcceptValues>
        form={form}
        layout="vertical"
        initialValues={{ type: 'one_time', milestones: [{ name: '', percent: '' }], periodMonths: 12 }}
        onFinish={submit}
        data-testid="accept-form"
      >
        <Form.Item name="type" label={t('billing.type')}>
          <Radio.Group optionType="button" options={BILLING_TYPES.map((b) => ({ value: b, label: t(`billing.types.${b}`) }))} data-testid="accept-billing-type" />
        </Form.Item>
        {type === 'one_time' && (
          <Form.Item name="dueDate" label={t('billing.dueDate')} extra={t('billing.dueDateHint')}>
            <DatePicker data-testid="accept-due-date" />
          </Form.Item>
        )}
        {type === 'milestone' && (
          <Form.List name="milestones">
            {(fields, { add, remove }) => (
              <Form.Item label={t('billing.milestones')} validateStatus={planError ? 'error' : undefined} help={planError ?? undefined}>
                {fields.map((f) => (
                  <Space key={f.key} align="baseline" style={{ display: 'flex' }} data-testid="accept-milestone">
                    <Form.Item name={[f.name, 'name']}>
                      <Input placeholder={t('billing.milestoneName')} style={{ width: 220 }} maxLength={200} />
                    </Form.Item>
                    <Form.Item name={[f.name, 'percent']}>
                      <Input placeholder="50" suffix="%" inputMode="decimal" style={{ width: 110 }} />
                    </Form.Item>
                    <Form.Item name={[f.name, 'dueDate']}>
                      <DatePicker placeholder={t('billing.dueDate')} />
                    </Form.Item>
                    {fields.length > 1 && <MinusCircleOutlined onClick={() => remove(f.name)} />}
                  </Space>
                ))}
                <Space>
                  <Button type="dashed" icon={<PlusOutlined />} onClick={() => add({ name: '', percent: '' })}>
                    {t('billing.addMilestone')}
                  </Button>
                  <Typography.Text type="secondary" data-testid="accept-milestone-sum">
                    {t('billing.sum', { sum: sumPercents(milestones.map((m) => ({ percent: m?.percent }))) })}
                  </Typography.Text>
                </Space>
              </Form.Item>
            )}
          </Form.List>
        )}
        {type === 'subscription' && (
          <Form.Item name="periodMonths" label={t('billing.period')}>
            <Select style={{ width: 200 }} options={SUBSCRIPTION_PERIODS.map((p) => ({ value: p, label: t('billing.periods', { count: p }) }))} data-testid="accept-period" />
          </Form.Item>
        )}
        <Space wrap size={16}>
          <Form.Item name="signedDate" label={t('accept.signedDate')}>
            <DatePicker disabledDate={(d) => d.isAfter(dayjs(), 'day')} data-testid="accept-signed-date" />
          </Form.Item>
          <Form.Item name="customerReference" label={t('accept.customerReference')}>
            <Input maxLength={200} style={{ width: 280 }} data-testid="accept-reference" />
          </Form.Item>
        </Space>
      </Form>
    </Modal>
  );
}
