import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, AutoComplete, Button, Col, DatePicker, Divider, Drawer, Form, Input, Row, Select, Skeleton, Switch } from 'antd';
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { User } from '../../../../server/modules/org/contract.ts';
import { LOCALES } from '../../../../shared/i18n/resources.ts';
import { ROLES } from '../../../../shared/roles.ts';
import { ApiProblem, type FieldError } from '../../../http/api-problem.ts';
import { applyProblemToForm } from '../../../http/form-errors.ts';
import { ProblemAlert } from '../../../components/problem-alert.tsx';
import { useSession } from '../auth/use-session.ts';
import { personName } from '../display-names.ts';
import { orgApi, orgKeys } from '../org-api.ts';
import { UnitTreeSelect } from '../unit-tree-select.tsx';
import { UserPicker } from '../user-picker.tsx';
import { useLocale } from '../../../i18n/use-locale.ts';
import { USER_FORM_FIELDS, type UserFormValues, createBody, hasChanges, newUserDefaults, toFormValues, updateBody } from './user-form-values.ts';

export type UserFormMode = { kind: 'create' } | { kind: 'edit'; userId: string };

const TIME_ZONES = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : ['Asia/Shanghai', 'UTC'];

/** Create or edit a person (admins). Edits send the loaded version; a 409 reloads the latest. */
export function UserFormDrawer({ mode, onClose, onSaved }: { mode: UserFormMode; onClose: () => void; onSaved?: (user: User) => void }) {
  const { t } = useTranslation(['org', 'common']);
  const locale = useLocale();
  const session = useSession();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [form] = Form.useForm<UserFormValues>();
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const [unmatched, setUnmatched] = useState<FieldError[]>([]);
  const [conflict, setConflict] = useState(false);
  const [saving, setSaving] = useState(false);
  const editingId = mode.kind === 'edit' ? mode.userId : undefined;

  // Always load the latest version when the drawer opens: the PATCH is checked against it.
  const current = useQuery({
    queryKey: orgKeys.user(editingId ?? ''),
    queryFn: ({ signal }) => orgApi.user(editingId!, signal),
    enabled: !!editingId,
    staleTime: 0,
    refetchOnMount: 'always',
    refetchOnWindowFocus: false,
  });
  const baseline = current.data;
  const ready = mode.kind === 'create' || (!!baseline && !current.isFetching);

  useEffect(() => {
    if (baseline && !current.isFetching) form.setFieldsValue(toFormValues(baseline));
  }, [baseline, current.isFetching, form]);

  const timeZoneOptions = useMemo(() => TIME_ZONES.map((tz) => ({ value: tz })), []);

  const save = async () => {
    let values: UserFormValues;
    try {
      values = await form.validateFields();
    } catch {
      return;
    }
    setSaving(true);
    setProblem(null);
    setUnmatched([]);
    try {
      let saved: User;
      if (mode.kind === 'create') {
        saved = await orgApi.createUser(createBody(values));
        void message.success(t('form.created', { name: personName(saved, locale) }));
      } else {
        if (!baseline) return;
        const body = updateBody(baseline, values);
        if (!hasChanges(body)) return onClose();
        saved = await orgApi.updateUser(baseline.id, body);
        void message.success(t('form.saved'));
      }
      queryClient.setQueryData(orgKeys.user(saved.id), saved);
      void queryClient.invalidateQueries({ queryKey: ['org'] });
      void queryClient.invalidateQueries({ queryKey: ['platform'] });
      if (saved.id === session.user.id) void queryClient.invalidateQueries({ queryKey: orgKeys.session });
      onSaved?.(saved);
      onClose();
    } catch (err) {
      if (!(err instanceof ApiProblem)) throw err;
      if (err.isVersionConflict) {
        setConflict(true);
        setProblem(null);
        form.resetFields();
        await current.refetch();
        return;
      }
      setConflict(false);
      setProblem(err);
      setUnmatched(applyProblemToForm(form, err, USER_FORM_FIELDS));
    } finally {
      setSaving(false);
    }
  };

  const title = mode.kind === 'create' ? t('form.createTitle') : t('form.editTitle', { name: baseline ? personName(baseline, locale) : '' });
  const required = [{ required: true, message: t('form.required') }];

  return (
    <Drawer
      open
      title={title}
      size={640}
      onClose={onClose}
      data-testid="user-form-drawer"
      footer={
        <div style={{ display: 'flex', justifyContent: 'flex-end', gap: 8 }}>
          <Button onClick={onClose}>{t('common:actions.cancel')}</Button>
          <Button type="primary" loading={saving} disabled={!ready} onClick={() => void save()} data-testid="user-form-submit">
            {t('common:actions.save')}
          </Button>
        </div>
      }
    >
      {conflict && <Alert type="warning" showIcon title={t('common:problems.versionConflict')} style={{ marginBottom: 16 }} data-testid="version-conflict" />}
      <ProblemAlert problem={problem} unmatched={unmatched} />
      {!ready && <Skeleton active paragraph={{ rows: 10 }} />}
      <Form<UserFormValues>
        form={form}
        layout="vertical"
        initialValues={mode.kind === 'create' ? newUserDefaults() : undefined}
        style={{ display: ready ? undefined : 'none' }}
        data-testid="user-form"
      >
        <Divider titlePlacement="start" plain>
          {t('form.sectionBasic')}
        </Divider>
        <Form.Item name="email" label={t('fields.email')} rules={required} extra={mode.kind === 'edit' ? t('form.emailReadOnly') : undefined}>
          <Input disabled={mode.kind === 'edit'} autoComplete="off" data-testid="user-form-email" />
        </Form.Item>
        <Row gutter={16}>
          <Col span={12}>
            <Form.Item name="nameZh" label={t('fields.nameZh')} rules={required}>
              <Input data-testid="user-form-nameZh" />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item name="nameEn" label={t('fields.nameEn')}>
              <Input data-testid="user-form-nameEn" />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item name="phone" label={t('fields.phone')}>
              <Input data-testid="user-form-phone" />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item name="title" label={t('fields.title')}>
              <Input data-testid="user-form-title" />
            </Form.Item>
          </Col>
        </Row>
        <Divider titlePlacement="start" plain>
          {t('form.sectionPlacement')}
        </Divider>
        <Row gutter={16}>
          <Col span={12}>
            <Form.Item name="unitId" label={t('fields.unit')}>
              <UnitTreeSelect placeholder={t('form.unitPlaceholder')} testId="user-form-unit" />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item name="managerId" label={t('fields.manager')}>
              <UserPicker placeholder={t('form.managerPlaceholder')} excludeId={editingId} testId="user-form-manager" />
            </Form.Item>
          </Col>
        </Row>
        <Form.Item name="roles" label={t('fields.roles')}>
          <Select mode="multiple" options={ROLES.map((r) => ({ value: r, label: t(`common:roles.${r}`) }))} data-testid="user-form-roles" />
        </Form.Item>
        <Form.Item name="effectiveDate" label={t('fields.effectiveDate')} extra={t('form.effectiveDateHelp')}>
          <DatePicker style={{ width: 200 }} data-testid="user-form-effective-date" />
        </Form.Item>
        <Divider titlePlacement="start" plain>
          {t('form.sectionAccount')}
        </Divider>
        <Row gutter={16}>
          <Col span={12}>
            <Form.Item name="locale" label={t('fields.locale')}>
              <Select options={LOCALES.map((l) => ({ value: l, label: t(`common:language.${l}`) }))} data-testid="user-form-locale" />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item name="timeZone" label={t('fields.timeZone')}>
              <AutoComplete options={timeZoneOptions} showSearch={{ filterOption: true }} data-testid="user-form-timezone" />
            </Form.Item>
          </Col>
        </Row>
        {mode.kind === 'edit' && (
          <Form.Item name="active" label={t('fields.active')} valuePropName="checked">
            <Switch checkedChildren={t('common:status.active')} unCheckedChildren={t('common:status.inactive')} data-testid="user-form-active" />
          </Form.Item>
        )}
        <Form.Item
          name="password"
          label={mode.kind === 'create' ? t('fields.password') : t('fields.newPassword')}
          extra={mode.kind === 'create' ? t('form.passwordHelpCreate') : t('form.passwordHelpEdit')}
        >
          <Input.Password autoComplete="new-password" data-testid="user-form-password" />
        </Form.Item>
      </Form>
    </Drawer>
  );
}
