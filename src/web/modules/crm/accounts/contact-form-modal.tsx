import { App, type ButtonProps, Col, Form, Input, Modal, Row, Select } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { CONTACT_LEVELS, CONTACT_STATUSES, type Contact, INFLUENCES } from '../../../../server/modules/crm/account-contract.ts';
import { ProblemAlert } from '../../../components/problem-alert.tsx';
import { ApiProblem, type FieldError } from '../../../http/api-problem.ts';
import { applyProblemToForm } from '../../../http/form-errors.ts';
import { accountsApi } from './accounts-api.ts';
import { useContacts, useRefreshAccount } from './accounts-queries.ts';
import { reportsToOptions } from './contact-levels.ts';
import { CustomFieldItems, useCustomFields } from './custom-field-inputs.tsx';
import { type CustomFormValue, customBody, toCustomFormValues } from './custom-field-values.ts';
import {
  CONTACT_FORM_FIELDS,
  type ContactFormValues,
  createContactBody,
  newContactDefaults,
  toContactFormValues,
  updateContactBody,
} from './contact-form-values.ts';

export type ContactFormMode = { kind: 'create'; level?: Contact['level'] } | { kind: 'edit'; contact: Contact };

/** Add or edit one of the customer's people: level, title, reporting line, ways to reach them. */
export function ContactFormModal({ accountId, mode, onClose }: { accountId: string; mode: ContactFormMode; onClose: () => void }) {
  const { t } = useTranslation(['crm', 'common']);
  const { message } = App.useApp();
  const refresh = useRefreshAccount();
  const [form] = Form.useForm<ContactFormValues & { custom?: Record<string, CustomFormValue> }>();
  const customDefs = useCustomFields('contact');
  const contacts = useContacts(accountId);
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const [unmatched, setUnmatched] = useState<FieldError[]>([]);
  const [saving, setSaving] = useState(false);
  const editing = mode.kind === 'edit' ? mode.contact : null;
  // Definitions may arrive after the modal opened: fill the custom inputs of an edit then.
  useEffect(() => {
    if (editing && customDefs.length > 0) form.setFieldValue('custom', toCustomFormValues(customDefs, editing.custom));
  }, [customDefs, editing, form]);
  const bosses = reportsToOptions(editing?.id ?? null, contacts.data?.items ?? []);

  const save = async () => {
    let values: ContactFormValues & { custom?: Record<string, CustomFormValue> };
    try {
      values = await form.validateFields();
    } catch {
      return;
    }
    setSaving(true);
    setProblem(null);
    setUnmatched([]);
    try {
      if (editing) {
        const custom = customBody(customDefs, values.custom, editing.custom);
        const body = { ...updateContactBody(editing, values), ...(custom ? { custom } : {}) };
        if (Object.keys(body).length > 1) await accountsApi.updateContact(editing.id, body);
        void message.success(t('contacts.saved'));
      } else {
        const custom = customBody(customDefs, values.custom, {});
        const created = await accountsApi.createContact(accountId, { ...createContactBody(values), ...(custom ? { custom } : {}) });
        void message.success(t('contacts.created', { name: created.name }));
      }
      refresh(accountId);
      onClose();
    } catch (err) {
      if (!(err instanceof ApiProblem)) throw err;
      setProblem(err);
      setUnmatched(applyProblemToForm(form, err, CONTACT_FORM_FIELDS));
    } finally {
      setSaving(false);
    }
  };

  const required = [{ required: true, message: t('form.required') }];
  return (
    <Modal
      open
      width={680}
      title={editing ? t('contacts.edit') : t('contacts.add')}
      onCancel={onClose}
      onOk={() => void save()}
      okText={t('common:actions.save')}
      cancelText={t('common:actions.cancel')}
      confirmLoading={saving}
      okButtonProps={{ 'data-testid': 'contact-form-submit' } as ButtonProps}
      data-testid="contact-form-modal"
      destroyOnHidden
    >
      <ProblemAlert problem={problem} unmatched={unmatched} />
      <Form<ContactFormValues & { custom?: Record<string, CustomFormValue> }>
        form={form}
        layout="vertical"
        initialValues={
          editing ? { ...toContactFormValues(editing), custom: toCustomFormValues(customDefs, editing.custom) } : newContactDefaults(mode.kind === 'create' ? mode.level : undefined)
        }
        data-testid="contact-form"
      >
        <Row gutter={16}>
          <Col span={12}>
            <Form.Item name="name" label={t('fields.name')} rules={required}>
              <Input data-testid="contact-form-name" />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item name="level" label={t('fields.level')} rules={required}>
              <Select options={CONTACT_LEVELS.map((l) => ({ value: l, label: t(`enums.level.${l}`) }))} data-testid="contact-form-level" />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item name="title" label={t('fields.title')}>
              <Input data-testid="contact-form-title" />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item name="department" label={t('fields.department')}>
              <Input data-testid="contact-form-department" />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item name="reportsToId" label={t('fields.reportsTo')}>
              <Select
                allowClear
                showSearch={{ optionFilterProp: 'label' }}
                placeholder={t('contacts.reportsToNone')}
                options={bosses.map((c) => ({ value: c.id, label: `${c.name}${c.title ? ` · ${c.title}` : ''}` }))}
                data-testid="contact-form-reports-to"
              />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item name="wechatId" label={t('fields.wechatId')}>
              <Input data-testid="contact-form-wechat" />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item name="phones" label={t('fields.phones')} extra={t('contacts.multiHelp')}>
              <Select mode="tags" open={false} suffixIcon={null} data-testid="contact-form-phones" />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item name="emails" label={t('fields.emails')} extra={t('contacts.multiHelp')}>
              <Select mode="tags" open={false} suffixIcon={null} data-testid="contact-form-emails" />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item name="influence" label={t('fields.influence')}>
              <Select options={INFLUENCES.map((i) => ({ value: i, label: t(`enums.influence.${i}`) }))} data-testid="contact-form-influence" />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item name="status" label={t('fields.contactStatus')}>
              <Select options={CONTACT_STATUSES.map((s) => ({ value: s, label: t(`enums.contactStatus.${s}`) }))} data-testid="contact-form-status" />
            </Form.Item>
          </Col>
        </Row>
        <CustomFieldItems defs={customDefs} />
      </Form>
    </Modal>
  );
}
