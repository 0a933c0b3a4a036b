import { useQueryClient } from '@tanstack/react-query';
import { App, AutoComplete, Checkbox, Form, Input, InputNumber, Modal, Radio, Space } from 'antd';
import { useMemo, useState } from 'react';
import { STANDARD_CHINA_WEEKDAY_WINDOWS, listPublishedChinaSchedules } from '../../../server/modules/calendar/china-holidays.ts';
import type { CalendarDetail, CreateCalendarInput } from '../../../server/modules/calendar/contract.ts';
import { ApiProblem, type FieldError } from '../../http/api-problem.ts';
import { applyProblemToForm } from '../../http/form-errors.ts';
import { newIdempotencyKey } from '../../http/idempotency-key.ts';
import { ProblemAlert } from '../../components/problem-alert.tsx';
import { calendarApi, calendarKeys } from './calendar-api.ts';
import { yearInZone } from './calendar-format.ts';
import { useCalendarT } from './calendar-i18n.ts';

const TIME_ZONES = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : ['Asia/Shanghai', 'UTC'];

interface CreateValues {
  nameZh: string;
  nameEn?: string;
  timeZone: string;
  template: 'office' | 'always';
  fromYear: number;
  toYear: number;
  importCn: boolean;
}

/** A new calendar from a template (the Chinese office week, or 24×7), optionally with China's official holidays. */
export function CreateCalendarModal({ onClose, onCreated }: { onClose: () => void; onCreated: (calendar: CalendarDetail) => void }) {
  const { t } = useCalendarT();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [form] = Form.useForm<CreateValues>();
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const [unmatched, setUnmatched] = useState<FieldError[]>([]);
  const [saving, setSaving] = useState(false);
  // One key per opened form: a retried click does not create the calendar twice.
  const [idempotencyKey] = useState(newIdempotencyKey);
  const zoneOptions = useMemo(() => TIME_ZONES.map((z) => ({ value: z })), []);
  const published = listPublishedChinaSchedules().map((s) => s.year);
  const year = published.includes(yearInZone('Asia/Shanghai')) ? yearInZone('Asia/Shanghai') : (published.at(-1) ?? yearInZone('Asia/Shanghai'));

  const submit = async () => {
    let values: CreateValues;
    try {
      values = await form.validateFields();
    } catch {
      return;
    }
    const windows = STANDARD_CHINA_WEEKDAY_WINDOWS.map((w) => ({ ...w }));
    const body: CreateCalendarInput = {
      nameZh: values.nameZh.trim(),
      ...(values.nameEn?.trim() ? { nameEn: values.nameEn.trim() } : {}),
      timeZone: values.timeZone,
      hours:
        values.template === 'always'
          ? { kind: 'always' }
          : { kind: 'weekly', days: { mon: windows, tue: windows, wed: windows, thu: windows, fri: windows, sat: [], sun: [] } },
      validity: { fromYear: values.fromYear, toYear: values.toYear },
    };
    setSaving(true);
    setProblem(null);
    try {
      let created = await calendarApi.create(body, idempotencyKey);
      if (values.importCn && values.template === 'office') {
        created = (await calendarApi.importOfficial(created.id, { country: 'CN', year })).calendar;
      }
      void message.success(t('create.created'));
      queryClient.setQueryData(calendarKeys.detail(created.id), created);
      void queryClient.invalidateQueries({ queryKey: calendarKeys.list });
      onCreated(created);
      onClose();
    } catch (err) {
      if (!(err instanceof ApiProblem)) throw err;
      setProblem(err);
      const rest = applyProblemToForm(form, err, ['nameZh', 'nameEn', 'timeZone']);
      const validity = rest.filter((e) => e.path.startsWith('validity'));
      form.setFields([{ name: 'fromYear', errors: validity.map((e) => e.message) }]);
      setUnmatched(rest.filter((e) => !validity.includes(e)));
    } finally {
      setSaving(false);
    }
  };

  return (
    <Modal open title={t('create.title')} onCancel={onClose} onOk={() => void submit()} okText={t('list.new')} confirmLoading={saving} destroyOnHidden data-testid="create-calendar-modal">
      <ProblemAlert problem={problem} unmatched={unmatched} />
      <Form<CreateValues>
        form={form}
        layout="vertical"
        initialValues={{ timeZone: 'Asia/Shanghai', template: 'office', fromYear: year, toYear: year, importCn: published.includes(year) }}
      >
        <Form.Item name="nameZh" label={t('days.nameZh')} rules={[{ required: true, whitespace: true, message: t('create.required') }]}>
          <Input maxLength={100} data-testid="create-name-zh" />
        </Form.Item>
        <Form.Item name="nameEn" label={t('days.nameEn')}>
          <Input maxLength={100} data-testid="create-name-en" />
        </Form.Item>
        <Form.Item name="timeZone" label={t('week.timeZone')} rules={[{ required: true, message: t('create.required') }]}>
          <AutoComplete options={zoneOptions} showSearch={{ filterOption: true }} data-testid="create-timezone" />
        </Form.Item>
        <Form.Item name="template" label={t('create.template')}>
          <Radio.Group
            options={[
              { value: 'office', label: t('create.office') },
              { value: 'always', label: t('create.always') },
            ]}
            data-testid="create-template"
          />
        </Form.Item>
        <Form.Item label={t('week.validity')} extra={t('week.validityHelp')} required>
          <Space>
            <Form.Item name="fromYear" noStyle rules={[{ required: true, message: t('create.required') }]}>
              <InputNumber min={1900} max={2400} precision={0} aria-label={t('week.fromYear')} data-testid="create-from-year" />
            </Form.Item>
            –
            <Form.Item name="toYear" noStyle rules={[{ required: true, message: t('create.required') }]}>
              <InputNumber min={1900} max={2400} precision={0} aria-label={t('week.toYear')} data-testid="create-to-year" />
            </Form.Item>
          </Space>
        </Form.Item>
        <Form.Item name="importCn" valuePropName="checked">
          <Checkbox disabled={!published.includes(year)} data-testid="create-import-cn">
            {t('create.importCn', { year })}
          </Checkbox>
        </Form.Item>
      </Form>
    </Modal>
  );
}
