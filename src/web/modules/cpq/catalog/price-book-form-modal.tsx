import { useQueryClient } from '@tanstack/react-query';
import { App, Col, DatePicker, Form, Input, Modal, Row, Select, Switch } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { PriceBook } from '../../../../server/modules/catalog/contract.ts';
import { CURRENCIES } from '../../../../shared/money.ts';
import { ProblemAlert } from '../../../components/problem-alert.tsx';
import { ApiProblem, type FieldError } from '../../../http/api-problem.ts';
import { catalogApi, catalogKeys } from './catalog-api.ts';
import { mapProblemToFields } from './problem-fields.ts';

interface BookFormValues {
  code: string;
  nameZh: string;
  nameEn?: string | undefined;
  currency: string;
  validFrom: Dayjs;
  validTo?: Dayjs | null | undefined;
  isActive: boolean;
}

const FIELDS = ['code', 'nameZh', 'nameEn', 'currency', 'validFrom', 'validTo', 'isActive'];
const day = (d: Dayjs | null | undefined) => (d ? d.format('YYYY-MM-DD') : null);

/** Create a price book, or change an existing one's names, validity and status (code and currency are fixed). */
export function PriceBookFormModal({ book, onClose, onSaved }: { book?: PriceBook | undefined; onClose: () => void; onSaved?: (b: PriceBook) => void }) {
  const { t } = useTranslation(['cpq-catalog', 'common']);
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [form] = Form.useForm<BookFormValues>();
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const [unmatched, setUnmatched] = useState<FieldError[]>([]);
  const [saving, setSaving] = useState(false);

  const save = async () => {
    let v: BookFormValues;
    try {
      v = await form.validateFields();
    } catch {
      return;
    }
    setSaving(true);
    setProblem(null);
    try {
      const nameEn = v.nameEn?.trim() || null;
      const saved = book
        ? await catalogApi.updatePriceBook(book.id, { version: book.version, nameZh: v.nameZh.trim(), nameEn, validFrom: day(v.validFrom)!, validTo: day(v.validTo), isActive: v.isActive })
        : await catalogApi.createPriceBook({ code: v.code.trim(), nameZh: v.nameZh.trim(), nameEn, currency: v.currency as 'CNY', validFrom: day(v.validFrom)!, validTo: day(v.validTo), isActive: v.isActive });
      void message.success(t('books.saved'));
      void queryClient.invalidateQueries({ queryKey: catalogKeys.priceBooks });
      onSaved?.(saved);
      onClose();
    } catch (err) {
      if (!(err instanceof ApiProblem)) throw err;
      setProblem(err);
      const { fields, unmatched: rest } = mapProblemToFields(err.errors, (s) => (FIELDS.includes(s[0]!) ? s[0]! : null));
      form.setFields([...FIELDS.map((name) => ({ name, errors: [] as string[] })), ...fields] as Parameters<typeof form.setFields>[0]);
      setUnmatched(rest);
    } finally {
      setSaving(false);
    }
  };

  const required = [{ required: true, message: t('form.required') }];
  return (
    <Modal
      open
      title={book ? t('books.editTitle', { code: book.code }) : t('books.createTitle')}
      onCancel={onClose}
      onOk={() => void save()}
      okText={t('common:actions.save')}
      confirmLoading={saving}
      width={640}
      data-testid="price-book-form"
    >
      <ProblemAlert problem={problem} unmatched={unmatched} />
      <Form<BookFormValues>
        form={form}
        layout="vertical"
        initialValues={
          book
            ? { code: book.code, nameZh: book.nameZh, nameEn: book.nameEn ?? undefined, currency: book.currency, validFrom: dayjs(book.validFrom), validTo: book.validTo ? dayjs(book.validTo) : null, isActive: book.isActive }
            : { currency: 'CNY', isActive: true, validFrom: dayjs().startOf('year') }
        }
      >
        <Row gutter={16}>
          <Col span={12}>
            <Form.Item name="code" label={t('fields.code')} rules={required}>
              <Input disabled={!!book} data-testid="price-book-form-code" />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item name="currency" label={t('fields.currency')} rules={required}>
              <Select disabled={!!book} options={Object.keys(CURRENCIES).map((c) => ({ value: c, label: c }))} />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item name="nameZh" label={t('fields.nameZh')} rules={required}>
              <Input data-testid="price-book-form-nameZh" />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item name="nameEn" label={t('fields.nameEn')}>
              <Input />
            </Form.Item>
          </Col>
          <Col span={9}>
            <Form.Item name="validFrom" label={t('fields.validFrom')} rules={required}>
              <DatePicker style={{ width: '100%' }} />
            </Form.Item>
          </Col>
          <Col span={9}>
            <Form.Item name="validTo" label={t('fields.validTo')}>
              <DatePicker style={{ width: '100%' }} />
            </Form.Item>
          </Col>
          <Col span={6}>
            <Form.Item name="isActive" label={t('fields.active')} valuePropName="checked">
              <Switch />
            </Form.Item>
          </Col>
        </Row>
      </Form>
    </Modal>
  );
}
