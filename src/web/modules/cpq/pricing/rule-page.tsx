import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, Col, DatePicker, Form, Input, InputNumber, Modal, Popconfirm, Radio, Row, Select, Skeleton, Space, Tag, TreeSelect } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router-dom';
import type { CustomerGroupNode } from '../../../../server/modules/crm/account-contract.ts';
import type { Rule, RuleFindingView } from '../../../../server/modules/pricing/contract.ts';
import { COMBINE_POLICIES, PRICING_PHASES } from '../../../../server/modules/pricing/pricing-rule.ts';
import { PageHeader } from '../../../components/page-header.tsx';
import { ProblemAlert } from '../../../components/problem-alert.tsx';
import { ApiProblem, type FieldError } from '../../../http/api-problem.ts';
import { useLocale } from '../../../i18n/use-locale.ts';
import { useSession } from '../../org/auth/use-session.ts';
import { AccountPicker } from '../../crm/accounts/account-picker.tsx';
import { accountKeys, accountsApi } from '../../crm/accounts/accounts-api.ts';
import { ProductGroupSelect, ProductPicker } from '../catalog/catalog-pickers.tsx';
import { mapProblemToFields } from '../catalog/problem-fields.ts';
import { ActionEditor } from './action-editor.tsx';
import { ConditionEditor } from './condition-editor.tsx';
import { FindingsList } from './findings-list.tsx';
import { pricingApi, pricingKeys } from './pricing-api.ts';
import { type RuleFormValues, newRuleDefaults, ruleFieldOf, toRuleDefinition, toRuleFormValues } from './rule-form-values.ts';
import { RuleVersions } from './rule-versions.tsx';
import { WhatIfPanel } from './what-if-panel.tsx';

type FormShape = Omit<RuleFormValues, 'validFrom' | 'validTo'> & { validFrom?: Dayjs | null; validTo?: Dayjs | null };

const ALL_FIELDS = [
  'code',
  'name',
  'productScope',
  'productId',
  'productGroupId',
  'customerScope',
  'accountId',
  'customerGroupId',
  'condition',
  'actionType',
  'percent',
  'amounts',
  'minMarginPercent',
  'tierBasis',
  'tierMode',
  'tierValueKind',
  'freeProductId',
  'freeQuantity',
  'freePerQuantity',
  'phase',
  'priority',
  'combine',
  'validFrom',
  'validTo',
];

const toShape = (v: RuleFormValues): FormShape => ({ ...v, validFrom: v.validFrom ? dayjs(v.validFrom) : null, validTo: v.validTo ? dayjs(v.validTo) : null });
const fromShape = (s: FormShape): RuleFormValues => ({
  ...s,
  validFrom: s.validFrom ? s.validFrom.format('YYYY-MM-DD') : null,
  validTo: s.validTo ? s.validTo.format('YYYY-MM-DD') : null,
});

function toGroupOptions(nodes: readonly CustomerGroupNode[], locale: string): { value: string; title: string; children: ReturnType<typeof toGroupOptions> }[] {
  return nodes.map((n) => ({ value: n.id, title: `${locale === 'en' && n.nameEn ? n.nameEn : n.nameZh} (${n.code})`, children: toGroupOptions(n.children, locale) }));
}

/** The editor's starting values: the draft if there is one, else the newest version. */
function editedVersion(rule: Rule) {
  return rule.versions.find((v) => v.number === rule.draftVersion) ?? rule.versions[0]!;
}

/**
 * /cpq/pricing-rules/:id (and /new): edit a rule's draft — scope, CEL condition, action, phase,
 * priority, combine, validity — save it (the server compiles it: problems land on their fields,
 * CEL with line and column), see the overlap/shadow analysis, publish with a confirm, archive;
 * versions on the side and the what-if tester below.
 */
export function RulePage() {
  const { id } = useParams();
  const isNew = !id;
  const { t } = useTranslation(['cpq-catalog', 'common']);
  const locale = useLocale();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const canWrite = useSession().can('pricing.rules.write');
  const [form] = Form.useForm<FormShape>();
  const rule = useQuery({ queryKey: pricingKeys.rule(id ?? ''), queryFn: ({ signal }) => pricingApi.rule(id!, signal), enabled: !!id });
  const customerGroups = useQuery({ queryKey: accountKeys.customerGroups, queryFn: ({ signal }) => accountsApi.customerGroups(signal), staleTime: 60_000 });
  const groupOptions = useMemo(() => toGroupOptions(customerGroups.data?.items ?? [], locale), [customerGroups.data, locale]);
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const [unmatched, setUnmatched] = useState<FieldError[]>([]);
  const [conflict, setConflict] = useState(false);
  // Unsaved edits belong to the rule version they were made on; a newer version (saved, reloaded) starts clean.
  const [dirtyOn, setDirtyOn] = useState<number | 'new' | null>(null);
  const [busy, setBusy] = useState<'save' | 'check' | 'publish' | 'archive' | null>(null);
  const [analysis, setAnalysis] = useState<{ findings: RuleFindingView[]; purpose: 'check' | 'publish' | 'published' } | null>(null);
  const productScope = Form.useWatch('productScope', form);
  const customerScope = Form.useWatch('customerScope', form);
  const data = rule.data;
  const isArchived = data?.status === 'archived';
  const dirty = dirtyOn !== null && dirtyOn === (data?.version ?? 'new');
  const readOnly = !canWrite || isArchived;

  useEffect(() => {
    if (data) {
      form.resetFields();
      form.setFieldsValue(toShape(toRuleFormValues(data.code, editedVersion(data))));
    }
  }, [data, form]);

  const setRule = (saved: Rule) => {
    queryClient.setQueryData(pricingKeys.rule(saved.id), saved);
    void queryClient.invalidateQueries({ queryKey: ['pricing', 'rules', 'list'] });
  };

  const fail = async (err: unknown) => {
    if (!(err instanceof ApiProblem)) throw err;
    if (err.isVersionConflict) {
      setConflict(true);
      await rule.refetch();
      return;
    }
    setProblem(err);
    const { fields, unmatched: rest } = mapProblemToFields(err.errors, ruleFieldOf);
    form.setFields([...ALL_FIELDS.map((name) => ({ name, errors: [] as string[] })), ...fields] as Parameters<typeof form.setFields>[0]);
    setUnmatched(rest);
  };

  /** Save the draft (or create the rule); the saved rule, or null when refused. */
  const save = async (): Promise<Rule | null> => {
    try {
      await form.validateFields();
    } catch {
      return null;
    }
    const values = fromShape(form.getFieldsValue(true) as FormShape);
    setBusy('save');
    setProblem(null);
    setUnmatched([]);
    setConflict(false);
    try {
      const definition = toRuleDefinition(values);
      const saved = data
        ? await pricingApi.saveDraft(data.id, { version: data.version, name: values.name.trim(), definition })
        : await pricingApi.create({ code: values.code.trim(), name: values.name.trim(), definition });
      form.setFields(ALL_FIELDS.map((name) => ({ name, errors: [] as string[] })) as Parameters<typeof form.setFields>[0]);
      setRule(saved);
      setDirtyOn(null);
      void message.success(t('rules.draftSaved', { number: saved.draftVersion ?? saved.latestVersion }));
      if (isNew) void navigate(`/cpq/pricing-rules/${saved.id}`, { replace: true });
      return saved;
    } catch (err) {
      await fail(err);
      return null;
    } finally {
      setBusy(null);
    }
  };

  /** The analysis a publish would show (of the saved draft; unsaved edits are saved first). */
  const check = async (purpose: 'check' | 'publish') => {
    const current = dirty || !data ? await save() : data;
    if (!current || current.draftVersion === null) return;
    setBusy('check');
    try {
      const result = await pricingApi.check(current.id);
      setAnalysis({ findings: result.findings, purpose });
    } catch (err) {
      await fail(err);
    } finally {
      setBusy(null);
    }
  };

  const publish = async () => {
    if (!data) return;
    setBusy('publish');
    try {
      const result = await pricingApi.publish(data.id, data.version);
      setRule(result.rule);
      setAnalysis({ findings: result.findings, purpose: 'published' });
      void message.success(t('rules.published', { number: result.rule.publishedVersion ?? '' }));
    } catch (err) {
      setAnalysis(null);
      await fail(err);
    } finally {
      setBusy(null);
    }
  };

  const archive = async () => {
    if (!data) return;
    setBusy('archive');
    try {
      setRule(await pricingApi.archive(data.id, data.version));
      void message.success(t('rules.archived'));
    } catch (err) {
      await fail(err);
    } finally {
      setBusy(null);
    }
  };

  if (id && rule.isPending) return <Skeleton active paragraph={{ rows: 12 }} />;
  if (rule.error instanceof ApiProblem) return <ProblemAlert problem={rule.error} />;
  const required = [{ required: true, message: t('form.required') }];

  return (
    <div data-testid="rule-page" data-rule-id={data?.id ?? ''} data-version={data?.version ?? ''}>
      <PageHeader
        title={data ? `${data.code} · ${data.name}` : t('rules.createTitle')}
        subtitle={
          <Space size={6} wrap>
            <Link to="/cpq/pricing-rules">{t('rules.back')}</Link>
            {data && (
              <>
                <Tag color={isArchived ? 'default' : 'blue'} data-testid="rule-status">
                  {t(`rules.status.${data.status}`)}
                </Tag>
                {data.publishedVersion !== null && (
                  <Tag color="green" data-testid="rule-published-version">
                    {t('rules.publishedVersion', { number: data.publishedVersion })}
                  </Tag>
                )}
                {data.draftVersion !== null && (
                  <Tag color="gold" data-testid="rule-draft-version">
                    {t('rules.draftVersion', { number: data.draftVersion })}
                  </Tag>
                )}
                {dirty && <Tag color="red">{t('rules.unsaved')}</Tag>}
              </>
            )}
          </Space>
        }
        extra={
          canWrite &&
          !isArchived && (
            <>
              <Button loading={busy === 'save'} onClick={() => void save()} data-testid="rule-save">
                {t('rules.saveDraft')}
              </Button>
              {data && (
                <Button loading={busy === 'check'} disabled={!dirty && data.draftVersion === null} onClick={() => void check('check')} data-testid="rule-analyze">
                  {t('rules.analyze')}
                </Button>
              )}
              {data && (
                <Button type="primary" disabled={!dirty && data.draftVersion === null} loading={busy === 'publish'} onClick={() => void check('publish')} data-testid="rule-publish">
                  {t('rules.publish')}
                </Button>
              )}
              {data && (
                <Popconfirm title={t('rules.archiveConfirm')} onConfirm={() => void archive()} okText={t('rules.archive')} cancelText={t('common:actions.cancel')}>
                  <Button danger loading={busy === 'archive'} data-testid="rule-archive">
                    {t('rules.archive')}
                  </Button>
                </Popconfirm>
              )}
            </>
          )
        }
      />
      {conflict && <Alert type="warning" showIcon title={t('rules.conflict')} style={{ marginBottom: 16 }} data-testid="version-conflict" />}
      {isArchived && <Alert type="info" showIcon title={t('rules.archivedNote')} style={{ marginBottom: 16 }} />}
      <ProblemAlert problem={problem} unmatched={unmatched} />
      {analysis && analysis.purpose !== 'publish' && (
        <Card size="small" title={analysis.purpose === 'published' ? t('findings.afterPublish') : t('findings.title')} style={{ marginBottom: 16 }} extra={<Button size="small" type="text" onClick={() => setAnalysis(null)}>×</Button>}>
          <FindingsList findings={analysis.findings} />
        </Card>
      )}
      <Row gutter={16}>
        <Col xs={24} xl={16}>
          <Form<FormShape>
            form={form}
            layout="vertical"
            disabled={readOnly}
            initialValues={isNew ? toShape(newRuleDefaults()) : undefined}
            onValuesChange={() => setDirtyOn(data?.version ?? 'new')}
            data-testid="rule-form"
          >
            <Card size="small" style={{ marginBottom: 16 }}>
              <Row gutter={16}>
                <Col span={8}>
                  <Form.Item name="code" label={t('fields.code')} rules={required}>
                    <Input disabled={!isNew} data-testid="rule-code" />
                  </Form.Item>
                </Col>
                <Col span={16}>
                  <Form.Item name="name" label={t('fields.name')} rules={required}>
                    <Input data-testid="rule-name" />
                  </Form.Item>
                </Col>
              </Row>
            </Card>
            <Card size="small" title={t('scope.title')} style={{ marginBottom: 16 }}>
              <Row gutter={16}>
                <Col span={12}>
                  <Form.Item name="productScope" label={t('scope.product')}>
                    <Radio.Group
                      options={(['all', 'group', 'product'] as const).map((k) => ({ value: k, label: t(`scope.productKinds.${k}`) }))}
                      data-testid="rule-product-scope"
                    />
                  </Form.Item>
                  {productScope === 'group' && (
                    <Form.Item name="productGroupId" rules={required}>
                      <ProductGroupSelect testId="rule-product-group" />
                    </Form.Item>
                  )}
                  {productScope === 'product' && (
                    <Form.Item name="productId" rules={required}>
                      <ProductPicker testId="rule-product" />
                    </Form.Item>
                  )}
                </Col>
                <Col span={12}>
                  <Form.Item name="customerScope" label={t('scope.customer')}>
                    <Radio.Group
                      options={(['all', 'customerGroup', 'account'] as const).map((k) => ({ value: k, label: t(`scope.customerKinds.${k}`) }))}
                      data-testid="rule-customer-scope"
                    />
                  </Form.Item>
                  {customerScope === 'account' && (
                    <Form.Item name="accountId" rules={required} extra={t('scope.accountHelp')}>
                      <AccountPicker testId="rule-account" />
                    </Form.Item>
                  )}
                  {customerScope === 'customerGroup' && (
                    <Form.Item name="customerGroupId" rules={required}>
                      <TreeSelect treeData={groupOptions} treeDefaultExpandAll showSearch={{ treeNodeFilterProp: 'title' }} data-testid="rule-customer-group" />
                    </Form.Item>
                  )}
                </Col>
              </Row>
            </Card>
            <Card size="small" title={t('condition.title')} style={{ marginBottom: 16 }}>
              <Form.Item name="condition" extra={t('condition.help')} style={{ marginBottom: 0 }}>
                <ConditionEditor disabled={readOnly} />
              </Form.Item>
            </Card>
            <div style={{ marginBottom: 16 }}>
              <ActionEditor disabled={readOnly} />
            </div>
            <Card size="small" title={t('ranking.title')} style={{ marginBottom: 16 }}>
              <Row gutter={16}>
                <Col span={6}>
                  <Form.Item name="phase" label={t('fields.phase')} extra={t('ranking.phaseHelp')}>
                    <Select options={PRICING_PHASES.map((p) => ({ value: p, label: t(`phases.${p}`) }))} data-testid="rule-phase" />
                  </Form.Item>
                </Col>
                <Col span={6}>
                  <Form.Item name="priority" label={t('fields.priority')} extra={t('ranking.priorityHelp')} rules={required}>
                    <InputNumber precision={0} min={-100000} max={100000} style={{ width: '100%' }} data-testid="rule-priority" />
                  </Form.Item>
                </Col>
                <Col span={12}>
                  <Form.Item name="combine" label={t('fields.combine')} extra={t('ranking.combineHelp')}>
                    <Select options={COMBINE_POLICIES.map((c) => ({ value: c, label: t(`combine.${c}`) }))} data-testid="rule-combine" />
                  </Form.Item>
                </Col>
                <Col span={6}>
                  <Form.Item name="validFrom" label={t('fields.validFrom')}>
                    <DatePicker style={{ width: '100%' }} data-testid="rule-valid-from" />
                  </Form.Item>
                </Col>
                <Col span={6}>
                  <Form.Item name="validTo" label={t('fields.validTo')}>
                    <DatePicker style={{ width: '100%' }} data-testid="rule-valid-to" />
                  </Form.Item>
                </Col>
                <Col span={12}>
                  <Alert type="info" showIcon={false} title={t('ranking.validityHelp')} style={{ marginTop: 30 }} />
                </Col>
              </Row>
            </Card>
          </Form>
        </Col>
        <Col xs={24} xl={8}>{data && <RuleVersions rule={data} />}</Col>
      </Row>
      <WhatIfPanel ruleId={data?.id ?? null} hasDraft={(data?.draftVersion ?? null) !== null && !dirty} canUseDrafts={canWrite} />
      {analysis?.purpose === 'publish' && data && (
        <Modal
          open
          title={t('publish.title', { code: data.code, number: data.draftVersion ?? '' })}
          onCancel={() => setAnalysis(null)}
          onOk={() => void publish()}
          okText={t('publish.confirm')}
          okButtonProps={{ 'data-testid': 'publish-confirm' }}
          confirmLoading={busy === 'publish'}
          width={720}
          data-testid="publish-modal"
        >
          <Alert
            type={analysis.findings.some((f) => f.severity === 'warning') ? 'warning' : 'info'}
            showIcon
            style={{ marginBottom: 12 }}
            title={analysis.findings.some((f) => f.severity === 'warning') ? t('publish.hasWarnings') : t('publish.intro')}
          />
          <FindingsList findings={analysis.findings} testId="publish-findings" />
        </Modal>
      )}
    </div>
  );
}
