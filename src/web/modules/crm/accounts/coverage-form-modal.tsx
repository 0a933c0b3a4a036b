import { App, type ButtonProps, Form, Modal, Rate, Select } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { type CoverageLink, RELATIONSHIP_ROLES } from '../../../../server/modules/crm/account-contract.ts';
import { ProblemAlert } from '../../../components/problem-alert.tsx';
import { ApiProblem, type FieldError } from '../../../http/api-problem.ts';
import { applyProblemToForm } from '../../../http/form-errors.ts';
import { UserPicker } from '../../org/user-picker.tsx';
import { accountsApi } from './accounts-api.ts';
import { useContacts, useRefreshAccount } from './accounts-queries.ts';

type Role = CoverageLink['relationshipRole'];
interface CoverageFormValues {
  contactId: string;
  userId: string;
  relationshipRole: Role;
  strength: number;
}

/** Which of our people covers which contact (create), or how (edit: role and strength). */
export type CoverageFormMode = { kind: 'create'; contactId?: string } | { kind: 'edit'; link: { id: string; contactId: string; userId: string; relationshipRole: Role; strength: number; version: number } };

export function CoverageFormModal({ accountId, mode, onClose }: { accountId: string; mode: CoverageFormMode; onClose: () => void }) {
  const { t } = useTranslation(['crm', 'common']);
  const { message } = App.useApp();
  const refresh = useRefreshAccount();
  const contacts = useContacts(accountId);
  const [form] = Form.useForm<CoverageFormValues>();
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const [unmatched, setUnmatched] = useState<FieldError[]>([]);
  const [saving, setSaving] = useState(false);
  const editing = mode.kind === 'edit' ? mode.link : null;

  const save = async () => {
    let v: CoverageFormValues;
    try {
      v = await form.validateFields();
    } catch {
      return;
    }
    setSaving(true);
    setProblem(null);
    try {
      if (editing) {
        await accountsApi.updateCoverage(editing.id, { version: editing.version, relationshipRole: v.relationshipRole, strength: v.strength });
      } else {
        await accountsApi.createCoverage(accountId, v);
      }
      void message.success(t('map.savedCoverage'));
      refresh(accountId);
      onClose();
    } catch (err) {
      if (!(err instanceof ApiProblem)) throw err;
      setProblem(err);
      setUnmatched(applyProblemToForm(form, err, ['contactId', 'userId', 'relationshipRole', 'strength']));
    } finally {
      setSaving(false);
    }
  };

  const required = [{ required: true, message: t('form.required') }];
  return (
    <Modal
      open
      title={editing ? t('map.editCoverage') : t('map.addCoverage')}
      onCancel={onClose}
      onOk={() => void save()}
      okText={t('common:actions.save')}
      cancelText={t('common:actions.cancel')}
      confirmLoading={saving}
      okButtonProps={{ 'data-testid': 'coverage-form-submit' } as ButtonProps}
      data-testid="coverage-form-modal"
      destroyOnHidden
    >
      <ProblemAlert problem={problem} unmatched={unmatched} />
      <Form<CoverageFormValues>
        form={form}
        layout="vertical"
        initialValues={
          editing
            ? { contactId: editing.contactId, userId: editing.userId, relationshipRole: editing.relationshipRole, strength: editing.strength }
            : { contactId: mode.kind === 'create' ? mode.contactId : undefined, relationshipRole: 'primary', strength: 3 }
        }
        data-testid="coverage-form"
      >
        <Form.Item name="contactId" label={t('fields.name')} rules={required}>
          <Select
            disabled={!!editing}
            showSearch={{ optionFilterProp: 'label' }}
            placeholder={t('map.contactPlaceholder')}
            options={(contacts.data?.items ?? []).map((c) => ({ value: c.id, label: `${c.name} · ${t(`enums.level.${c.level}`)}` }))}
            data-testid="coverage-form-contact"
          />
        </Form.Item>
        {!editing && (
          <Form.Item name="userId" label={t('fields.person')} rules={required}>
            <UserPicker placeholder={t('map.personPlaceholder')} testId="coverage-form-user" />
          </Form.Item>
        )}
        <Form.Item name="relationshipRole" label={t('fields.relationshipRole')} rules={required}>
          <Select options={RELATIONSHIP_ROLES.map((r) => ({ value: r, label: t(`enums.relationshipRole.${r}`) }))} data-testid="coverage-form-role" />
        </Form.Item>
        <Form.Item name="strength" label={t('fields.strength')} rules={required}>
          <Rate count={5} allowClear={false} data-testid="coverage-form-strength" />
        </Form.Item>
      </Form>
    </Modal>
  );
}
