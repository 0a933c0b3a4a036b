import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Col, Drawer, Form, Input, Row, Select, Skeleton } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import {
  ACCOUNT_KINDS,
  ACCOUNT_STATUSES,
  ACCOUNT_TIERS,
  type Account,
  type SimilarAccount,
} from '../../../../server/modules/crm/account-contract.ts';
import { ProblemAlert } from '../../../components/problem-alert.tsx';
import { ApiProblem, type FieldError } from '../../../http/api-problem.ts';
import { applyProblemToForm } from '../../../http/form-errors.ts';
import { UserPicker } from '../../org/user-picker.tsx';
import {
  ACCOUNT_FORM_FIELDS,
  type AccountFormValues,
  createAccountBody,
  duplicateOf,
  hasAccountChanges,
  newAccountDefaults,
  similarCandidates,
  toAccountFormValues,
  updateAccountBody,
} from './account-form-values.ts';
import { AccountPicker } from './account-picker.tsx';
import { RegionFields } from './region-fields.tsx';
import { CustomFieldItems, useCustomFields } from './custom-field-inputs.tsx';
import { type CustomFormValue, customBody, toCustomFormValues } from './custom-field-values.ts';
import { accountKeys, accountsApi } from './accounts-api.ts';

export type AccountFormMode = { kind: 'create'; parent?: { id: string; name: string } } | { kind: 'edit'; accountId: string };

/**
 * Create or edit an account. The server checks the USCC and duplicates: a taken USCC names the
 * account that has it (with a link); a similar name is a warning the user may override.
 */
export function AccountFormDrawer({ mode, onClose, onSaved }: { mode: AccountFormMode; onClose: () => void; onSaved?: (a: Account) => void }) {
  const { t } = useTranslation(['crm', 'common']);
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [form] = Form.useForm<AccountFormValues & { custom?: Record<string, CustomFormValue> }>();
  const customDefs = useCustomFields('account');
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const [unmatched, setUnmatched] = useState<FieldError[]>([]);
  const [duplicate, setDuplicate] = useState<{ id: string; name: string } | null>(null);
  const [similar, setSimilar] = useState<SimilarAccount[]>([]);
  const [conflict, setConflict] = useState(false);
  const [saving, setSaving] = useState(false);
  const editingId = mode.kind === 'edit' ? mode.accountId : undefined;

  const current = useQuery({
    queryKey: accountKeys.account(editingId ?? ''),
    queryFn: ({ signal }) => accountsApi.get(editingId!, signal),
    enabled: !!editingId,
    staleTime: 0,
    refetchOnMount: 'always',
    refetchOnWindowFocus: false,
  });
  const baseline = current.data;
  const ready = mode.kind === 'create' || (!!baseline && !current.isFetching);

  useEffect(() => {
    if (baseline && !current.isFetching) form.setFieldsValue({ ...toAccountFormValues(baseline), custom: toCustomFormValues(customDefs, baseline.custom) });
  }, [baseline, current.isFetching, form, customDefs]);

  const save = async (confirmSimilar: boolean) => {
    let values: AccountFormValues & { custom?: Record<string, CustomFormValue> };
    try {
      values = await form.validateFields();
    } catch {
      return;
    }
    setSaving(true);
    setProblem(null);
    setUnmatched([]);
    setDuplicate(null);
    if (!confirmSimilar) setSimilar([]);
    try {
      let saved: Account;
      if (mode.kind === 'create') {
        const custom = customBody(customDefs, values.custom, {});
        saved = await accountsApi.create({ ...createAccountBody(values, confirmSimilar), ...(custom ? { custom } : {}) });
        void message.success(t('form.created', { name: saved.nameZh }));
      } else {
        if (!baseline) return;
        const custom = customBody(customDefs, values.custom, baseline.custom);
        const body = { ...updateAccountBody(baseline, values, confirmSimilar), ...(custom ? { custom } : {}) };
        if (!hasAccountChanges(body)) return onClose();
        saved = await accountsApi.update(baseline.id, body);
        void message.success(t('form.saved'));
      }
      queryClient.setQueryData(accountKeys.account(saved.id), saved);
      void queryClient.invalidateQueries({ queryKey: ['crm'] });
      onSaved?.(saved);
      onClose();
    } catch (err) {
      if (!(err instanceof ApiProblem)) throw err;
      if (err.isVersionConflict) {
        setConflict(true);
        form.resetFields();
        await current.refetch();
        return;
      }
      setConflict(false);
      if (err.code === 'crm.similar_account') {
        // A warning, not a failure: show the look-alikes and offer the override.
        setSimilar(similarCandidates(err.document));
        return;
      }
      if (err.code === 'crm.duplicate_uscc') setDuplicate(duplicateOf(err.document));
      setProblem(err);
      setUnmatched(applyProblemToForm(form, err, ACCOUNT_FORM_FIELDS));
    } finally {
      setSaving(false);
    }
  };

  const title =
    mode.kind === 'edit'
      ? t('form.editTitle', { name: baseline?.nameZh ?? '' })
      : mode.parent
        ? t('form.createChildTitle', { name: mode.parent.name })
        : t('form.createTitle');
  const required = [{ required: true, message: t('form.required') }];

  return (
    <Drawer
      open
      title={title}
      size={680}
      onClose={onClose}
      data-testid="account-form-drawer"
      footer={
        <div style={{ display: 'flex', justifyContent: 'flex-end', gap: 8 }}>
          <Button onClick={onClose}>{t('common:actions.cancel')}</Button>
          <Button type="primary" loading={saving} disabled={!ready} onClick={() => void save(false)} data-testid="account-form-submit">
            {t('common:actions.save')}
          </Button>
        </div>
      }
    >
      {conflict && <Alert type="warning" showIcon title={t('common:problems.versionConflict')} style={{ marginBottom: 16 }} data-testid="version-conflict" />}
      <ProblemAlert problem={problem} unmatched={unmatched} />
      {duplicate && (
        <Alert
          type="error"
          showIcon
          style={{ marginBottom: 16 }}
          data-testid="account-duplicate"
          title={t('form.duplicate', { name: duplicate.name })}
          action={
            <Link to={`/crm/accounts/${duplicate.id}`} onClick={onClose} data-testid="account-duplicate-link">
              {t('form.openExisting', { name: duplicate.name })}
            </Link>
          }
        />
      )}
      {similar.length > 0 && (
        <Alert
          type="warning"
          showIcon
          style={{ marginBottom: 16 }}
          data-testid="account-similar"
          title={t('form.similarTitle')}
          description={
            <>
              <ul style={{ margin: '4px 0 8px', paddingInlineStart: 20 }}>
                {similar.map((c) => (
                  <li key={c.id}>
                    <Link to={`/crm/accounts/${c.id}`} onClick={onClose} data-testid="account-similar-link">
                      {c.nameZh}
                    </Link>{' '}
                    <span style={{ opacity: 0.6 }}>({c.reason === 'same_name' ? t('form.sameName') : t('form.similarity', { value: c.similarity })})</span>
                  </li>
                ))}
              </ul>
              <div>{t('form.similarHelp')}</div>
            </>
          }
          action={
            <Button size="small" danger loading={saving} onClick={() => void save(true)} data-testid="account-create-anyway">
              {mode.kind === 'create' ? t('form.createAnyway') : t('form.saveAnyway')}
            </Button>
          }
        />
      )}
      {!ready && <Skeleton active paragraph={{ rows: 10 }} />}
      <Form<AccountFormValues & { custom?: Record<string, CustomFormValue> }>
        form={form}
        layout="vertical"
        initialValues={mode.kind === 'create' ? newAccountDefaults(mode.parent?.id) : undefined}
        style={{ display: ready ? undefined : 'none' }}
        onValuesChange={(changed: Partial<AccountFormValues>) => {
          if ('nameZh' in changed) setSimilar([]);
          if ('uscc' in changed) setDuplicate(null);
        }}
        data-testid="account-form"
      >
        <Row gutter={16}>
          <Col span={24}>
            <Form.Item name="nameZh" label={t('fields.nameZh')} rules={required}>
              <Input data-testid="account-form-nameZh" />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item name="nameEn" label={t('fields.nameEn')}>
              <Input data-testid="account-form-nameEn" />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item name="shortName" label={t('fields.shortName')}>
              <Input data-testid="account-form-shortName" />
            </Form.Item>
          </Col>
          <Col span={24}>
            <Form.Item name="uscc" label={t('fields.uscc')} extra={t('form.usccHelp')}>
              <Input maxLength={60} data-testid="account-form-uscc" />
            </Form.Item>
          </Col>
          <Col span={8}>
            <Form.Item name="kind" label={t('fields.kind')} rules={required}>
              <Select options={ACCOUNT_KINDS.map((k) => ({ value: k, label: t(`enums.kind.${k}`) }))} data-testid="account-form-kind" />
            </Form.Item>
          </Col>
          <Col span={8}>
            <Form.Item name="status" label={t('fields.status')}>
              <Select options={ACCOUNT_STATUSES.map((k) => ({ value: k, label: t(`enums.status.${k}`) }))} data-testid="account-form-status" />
            </Form.Item>
          </Col>
          <Col span={8}>
            <Form.Item name="tier" label={t('fields.tier')}>
              <Select options={ACCOUNT_TIERS.map((k) => ({ value: k, label: t(`enums.tier.${k}`) }))} data-testid="account-form-tier" />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item name="parentId" label={t('fields.parent')}>
              <AccountPicker placeholder={t('form.parentPlaceholder')} excludeId={editingId} testId="account-form-parent" />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item name="ownerId" label={t('fields.owner')}>
              <UserPicker placeholder={t('form.ownerPlaceholder')} testId="account-form-owner" />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item name="industry" label={t('fields.industry')}>
              <Input data-testid="account-form-industry" />
            </Form.Item>
          </Col>
          <RegionFields />
          <Col span={24}>
            <Form.Item name="address" label={t('fields.address')}>
              <Input data-testid="account-form-address" />
            </Form.Item>
          </Col>
          <Col span={24}>
            <Form.Item name="website" label={t('fields.website')}>
              <Input data-testid="account-form-website" />
            </Form.Item>
          </Col>
          <Col span={24}>
            <Form.Item name="tags" label={t('fields.tags')}>
              <Select mode="tags" open={false} suffixIcon={null} placeholder={t('form.tagsPlaceholder')} data-testid="account-form-tags" />
            </Form.Item>
          </Col>
          <Col span={24}>
            <Form.Item name="notes" label={t('fields.notes')}>
              <Input.TextArea rows={3} data-testid="account-form-notes" />
            </Form.Item>
          </Col>
        </Row>
        <CustomFieldItems defs={customDefs} />
      </Form>
    </Drawer>
  );
}
