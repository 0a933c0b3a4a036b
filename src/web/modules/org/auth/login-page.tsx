import { LockOutlined, MailOutlined } from '@ant-design/icons';
import { useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Card, Form, Grid, Input, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Navigate, useLocation, useNavigate } from 'react-router-dom';
import { ApiProblem, type FieldError } from '../../../http/api-problem.ts';
import { applyProblemToForm } from '../../../http/form-errors.ts';
import { ProblemAlert } from '../../../components/problem-alert.tsx';
import { LanguageSwitch } from '../../../shell/language-switch.tsx';
import { BrandPanel } from './brand-panel.tsx';
import { orgApi } from '../org-api.ts';
import { acceptSession, sessionWasEnded } from './session-store.ts';
import { useSessionQuery } from './use-session.ts';

interface LoginValues {
  email: string;
  password: string;
}

const FIELDS = ['email', 'password'] as const;

export function LoginPage() {
  const { t } = useTranslation('auth');
  const [form] = Form.useForm<LoginValues>();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const location = useLocation();
  const session = useSessionQuery();
  const screens = Grid.useBreakpoint();
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const [unmatched, setUnmatched] = useState<FieldError[]>([]);
  const [submitting, setSubmitting] = useState(false);
  const [sessionEnded] = useState(sessionWasEnded);
  const from = (location.state as { from?: string } | null)?.from ?? '/';

  if (session.data) return <Navigate to={from} replace />;

  const onFinish = async (values: LoginValues) => {
    setSubmitting(true);
    setProblem(null);
    setUnmatched([]);
    try {
      const info = await orgApi.login(values.email, values.password);
      await acceptSession(queryClient, info);
      void navigate(from, { replace: true });
    } catch (err) {
      const p = err instanceof ApiProblem ? err : null;
      setProblem(p);
      if (p) setUnmatched(applyProblemToForm(form, p, FIELDS));
      form.setFieldValue('password', '');
    } finally {
      setSubmitting(false);
    }
  };

  return (
    <div style={{ minHeight: '100vh', display: 'flex', background: '#f0f2f5' }} data-testid="login-page">
      {screens.lg && <BrandPanel />}
      <div style={{ flex: 1, display: 'flex', flexDirection: 'column', minWidth: 360 }}>
        <div style={{ display: 'flex', justifyContent: 'flex-end', padding: 16 }}>
          <LanguageSwitch />
        </div>
        <div style={{ flex: 1, display: 'grid', placeItems: 'center', padding: 24 }}>
          <Card style={{ width: 400, maxWidth: '100%' }} styles={{ body: { padding: 32 } }}>
            <Typography.Title level={3} style={{ marginTop: 0 }}>
              {t('login.title')}
            </Typography.Title>
            <Typography.Paragraph type="secondary">{t('login.welcome')}</Typography.Paragraph>
            {sessionEnded && !problem && <Alert type="warning" showIcon title={t('session.expired')} style={{ marginBottom: 16 }} />}
            <ProblemAlert problem={problem} unmatched={unmatched} />
            <Form form={form} layout="vertical" requiredMark={false} onFinish={onFinish} data-testid="login-form" size="large">
              <Form.Item name="email" label={t('login.email')} rules={[{ required: true, message: t('login.emailRequired') }]}>
                <Input prefix={<MailOutlined />} placeholder={t('login.emailPlaceholder')} autoComplete="username" data-testid="login-email" />
              </Form.Item>
              <Form.Item name="password" label={t('login.password')} rules={[{ required: true, message: t('login.passwordRequired') }]}>
                <Input.Password prefix={<LockOutlined />} autoComplete="current-password" data-testid="login-password" />
              </Form.Item>
              <Form.Item style={{ marginTop: 32, marginBottom: 0 }}>
                <Button type="primary" htmlType="submit" block loading={submitting} data-testid="login-submit">
                  {t('login.submit')}
                </Button>
              </Form.Item>
            </Form>
          </Card>
        </div>
        <Typography.Text type="secondary" style={{ textAlign: 'center', padding: 16, fontSize: 12 }}>
          {t('login.footer')}
        </Typography.Text>
      </div>
    </div>
  );
}
