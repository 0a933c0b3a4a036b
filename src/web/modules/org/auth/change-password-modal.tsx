import { App, type ButtonProps, Form, Input, Modal, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiProblem, type FieldError } from '../../../http/api-problem.ts';
import { applyProblemToForm } from '../../../http/form-errors.ts';
import { ProblemAlert } from '../../../components/problem-alert.tsx';
import { orgApi } from '../org-api.ts';

interface Values {
  currentPassword: string;
  newPassword: string;
  confirm: string;
}

const FIELDS = ['currentPassword', 'newPassword'] as const;

export function ChangePasswordModal({ open, onClose }: { open: boolean; onClose: () => void }) {
  const { t } = useTranslation(['auth', 'common']);
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const [unmatched, setUnmatched] = useState<FieldError[]>([]);
  const [saving, setSaving] = useState(false);

  const close = () => {
    form.resetFields();
    setProblem(null);
    setUnmatched([]);
    onClose();
  };

  const submit = async () => {
    const values = await form.validateFields();
    setSaving(true);
    setProblem(null);
    try {
      await orgApi.changePassword({ currentPassword: values.currentPassword, newPassword: values.newPassword });
      void message.success(t('password.success'));
      close();
    } catch (err) {
      if (!(err instanceof ApiProblem)) throw err;
      setProblem(err);
      setUnmatched(applyProblemToForm(form, err, FIELDS));
    } finally {
      setSaving(false);
    }
  };

  return (
    <Modal
      open={open}
      title={t('password.title')}
      onCancel={close}
      onOk={() => void submit().catch(() => undefined)}
      confirmLoading={saving}
      okText={t('common:actions.save')}
      cancelText={t('common:actions.cancel')}
      okButtonProps={{ 'data-testid': 'change-password-submit' } as ButtonProps}
    >
      <Typography.Paragraph type="secondary">{t('password.hint')}</Typography.Paragraph>
      <ProblemAlert problem={problem} unmatched={unmatched} />
      <Form form={form} layout="vertical" requiredMark={false} data-testid="change-password-form">
        <Form.Item name="currentPassword" label={t('password.current')} rules={[{ required: true, message: t('password.required') }]}>
          <Input.Password autoComplete="current-password" data-testid="change-password-current" />
        </Form.Item>
        <Form.Item name="newPassword" label={t('password.new')} rules={[{ required: true, message: t('password.required') }]}>
          <Input.Password autoComplete="new-password" data-testid="change-password-new" />
        </Form.Item>
        <Form.Item
          name="confirm"
          label={t('password.confirm')}
          dependencies={['newPassword']}
          rules={[
            { required: true, message: t('password.required') },
            ({ getFieldValue }) => ({
              validator: (_rule, value) =>
                !value || value === getFieldValue('newPassword') ? Promise.resolve() : Promise.reject(new Error(t('password.mismatch'))),
            }),
          ]}
        >
          <Input.Password autoComplete="new-password" data-testid="change-password-confirm" />
        </Form.Item>
      </Form>
    </Modal>
  );
}
