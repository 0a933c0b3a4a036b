import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, Col, Divider, Form, Input, Row, Skeleton, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { CompanyProfile } from '../../../../server/modules/org/contract.ts';
import { ProblemAlert } from '../../../components/problem-alert.tsx';
import { PageHeader } from '../../../components/page-header.tsx';
import { ApiProblem, type FieldError } from '../../../http/api-problem.ts';
import { applyProblemToForm } from '../../../http/form-errors.ts';
import { formatDateTime } from '../../../i18n/date-format.ts';
import { useLocale } from '../../../i18n/use-locale.ts';
import { useSession } from '../auth/use-session.ts';
import { orgApi, orgKeys } from '../org-api.ts';
import { COMPANY_PROFILE_FIELDS, type CompanyProfileFormValues, checkCompanyProfile, toFormValues } from './company-profile-values.ts';

/**
 * The company profile: the seller block of quotes and other documents (admins edit, everyone may
 * read). Saves send the version loaded; a 409 reloads the latest. The names are the root unit's.
 */
export function CompanyProfilePage() {
  const { t } = useTranslation(['org', 'common', 'validation']);
  const locale = useLocale();
  const session = useSession();
  const canEdit = session.can('org.company_profile.write');
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [form] = Form.useForm<CompanyProfileFormValues>();
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const [unmatched, setUnmatched] = useState<FieldError[]>([]);
  const [conflict, setConflict] = useState(false);
  const [saving, setSaving] = useState(false);

  const current = useQuery({
    queryKey: orgKeys.companyProfile,
    queryFn: ({ signal }) => orgApi.companyProfile(signal),
    staleTime: 0,
    refetchOnWindowFocus: false,
  });
  const profile = current.data;

  useEffect(() => {
    if (profile && !current.isFetching) form.setFieldsValue(toFormValues(profile));
  }, [profile, current.isFetching, form]);

  const translate = (msg: string) => (msg.startsWith('v:') ? t(`validation:${msg.slice(2)}` as never) : msg);

  const save = async () => {
    if (!profile) return;
    try {
      await form.validateFields();
    } catch {
      return;
    }
    const checked = checkCompanyProfile(form.getFieldsValue(true) as CompanyProfileFormValues, profile.version, locale);
    // Every field gets this attempt's messages (none when valid), so an earlier attempt's do not linger.
    form.setFields(COMPANY_PROFILE_FIELDS.map((name) => ({ name, errors: checked.ok ? [] : (checked.errors.get(name) ?? []).map(translate) })));
    if (!checked.ok) return;
    setSaving(true);
    setProblem(null);
    setUnmatched([]);
    try {
      const saved: CompanyProfile = await orgApi.updateCompanyProfile(checked.body);
      queryClient.setQueryData(orgKeys.companyProfile, saved);
      form.setFieldsValue(toFormValues(saved));
      setConflict(false);
      void queryClient.invalidateQueries({ queryKey: ['platform'] });
      void message.success(t('companyProfile.saved'));
    } catch (err) {
      if (!(err instanceof ApiProblem)) throw err;
      if (err.isVersionConflict) {
        setConflict(true);
        form.resetFields();
        await current.refetch();
        return;
      }
      setConflict(false);
      setProblem(err);
      setUnmatched(applyProblemToForm(form, err, COMPANY_PROFILE_FIELDS));
    } finally {
      setSaving(false);
    }
  };

  const required = [{ required: true, whitespace: true, message: t('companyProfile.required') }];
  const field = (name: (typeof COMPANY_PROFILE_FIELDS)[number], opts: { rules?: typeof required; extra?: string; span?: number } = {}) => (
    <Col xs={24} md={opts.span ?? 12} key={name}>
      <Form.Item name={name} label={t(`companyProfile.fields.${name}`)} rules={opts.rules} extra={opts.extra}>
        <Input disabled={!canEdit} autoComplete="off" data-testid={`company-profile-${name}`} />
      </Form.Item>
    </Col>
  );

  return (
    <div data-testid="company-profile-page">
      <PageHeader
        title={t('companyProfile.title')}
        subtitle={t('companyProfile.subtitle')}
        extra={
          canEdit && (
            <Button type="primary" loading={saving} disabled={!profile || current.isFetching} onClick={() => void save()} data-testid="company-profile-save">
              {t('common:actions.save')}
            </Button>
          )
        }
      />
      <Card>
        {!canEdit && <Alert type="info" showIcon title={t('companyProfile.readOnly')} style={{ marginBottom: 16 }} />}
        {conflict && <Alert type="warning" showIcon title={t('common:problems.versionConflict')} style={{ marginBottom: 16 }} data-testid="version-conflict" />}
        {current.error instanceof ApiProblem && <ProblemAlert problem={current.error} />}
        <ProblemAlert problem={problem} unmatched={unmatched} />
        {!profile && !current.error && <Skeleton active paragraph={{ rows: 8 }} />}
        {profile && (
          <>
            <Typography.Text type="secondary">{t('companyProfile.nameFromOrg')}</Typography.Text>
            <Typography.Title level={5} style={{ marginTop: 4 }} data-testid="company-profile-name">
              {profile.nameZh}
              {profile.nameEn ? ` / ${profile.nameEn}` : ''}
            </Typography.Title>
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {profile.version > 1 ? t('companyProfile.lastUpdated', { when: formatDateTime(profile.updatedAt, locale, session.user.timeZone) }) : t('companyProfile.neverUpdated')}
            </Typography.Text>
          </>
        )}
        <Form<CompanyProfileFormValues> form={form} layout="vertical" style={{ display: profile ? undefined : 'none', marginTop: 8 }} data-testid="company-profile-form">
          <Divider titlePlacement="start" plain>
            {t('companyProfile.sectionAddress')}
          </Divider>
          <Row gutter={16}>
            {field('addressZh', { rules: required, span: 24 })}
            {field('addressEn', { extra: t('companyProfile.help.addressEn'), span: 24 })}
            {field('phone', { rules: required })}
            {field('email')}
            {field('website', { extra: t('companyProfile.help.website') })}
          </Row>
          <Divider titlePlacement="start" plain>
            {t('companyProfile.sectionTax')}
          </Divider>
          <Row gutter={16}>
            {field('taxId', { extra: t('companyProfile.help.taxId'), span: 24 })}
            {field('bankName')}
            {field('bankAccount')}
          </Row>
        </Form>
      </Card>
    </div>
  );
}
