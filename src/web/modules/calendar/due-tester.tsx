import { Alert, Button, DatePicker, Descriptions, Form, InputNumber, Select, Space, Table, Typography } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useState } from 'react';
import { toZonedInstant } from '../../../server/modules/calendar/clock.ts';
import { DURATION_UNITS, type CalendarDetail, type DueResult, type WorkingWindow } from '../../../server/modules/calendar/contract.ts';
import { ApiProblem, type FieldError } from '../../http/api-problem.ts';
import { applyProblemToForm } from '../../http/form-errors.ts';
import { ProblemAlert } from '../../components/problem-alert.tsx';
import { useLocale } from '../../i18n/use-locale.ts';
import { calendarApi } from './calendar-api.ts';
import { formatInZone } from './calendar-format.ts';
import { useCalendarT } from './calendar-i18n.ts';
import { formatHours } from './month-grid.ts';

interface DueValues {
  start: Dayjs | null;
  duration: number | null;
  unit: (typeof DURATION_UNITS)[number];
}

/**
 * "When is it due?": a start (wall time in the calendar's zone) plus business minutes, hours or
 * days → the due instant, and the working windows that were counted to reach it.
 */
export function DueTester({ calendar }: { calendar: CalendarDetail }) {
  const { t } = useCalendarT();
  const locale = useLocale();
  const [form] = Form.useForm<DueValues>();
  const [result, setResult] = useState<DueResult | null>(null);
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const [unmatched, setUnmatched] = useState<FieldError[]>([]);
  const [busy, setBusy] = useState(false);
  const zone = calendar.timeZone;
  const show = (iso: string) => formatInZone(iso, zone, locale);

  const compute = async () => {
    let values: DueValues;
    try {
      values = await form.validateFields();
    } catch {
      return;
    }
    setBusy(true);
    setProblem(null);
    try {
      // The picker's wall time is read in the calendar's zone, not the browser's.
      const start = toZonedInstant(values.start!.format('YYYY-MM-DD'), values.start!.format('HH:mm'), zone).toISOString();
      const due = await calendarApi.due(calendar.id, { start, duration: { unit: values.unit, value: values.duration ?? 0 } });
      setResult(due);
      form.setFields([
        { name: 'start', errors: [] },
        { name: 'duration', errors: [] },
      ]);
      setUnmatched([]);
    } catch (err) {
      if (!(err instanceof ApiProblem)) throw err;
      setResult(null);
      setProblem(err);
      setUnmatched(applyProblemToForm(form, err, ['start', 'duration']));
    } finally {
      setBusy(false);
    }
  };

  const columns = [
    { key: 'start', title: t('due.from'), render: (_: unknown, w: WorkingWindow) => show(w.start) },
    { key: 'end', title: t('due.to'), render: (_: unknown, w: WorkingWindow) => show(w.end) },
    { key: 'minutes', title: t('due.minutes'), dataIndex: 'minutes', width: 100, align: 'right' as const },
  ];

  return (
    <div data-testid="calendar-due-tester">
      <ProblemAlert problem={problem} unmatched={unmatched} />
      <Form<DueValues> form={form} layout="inline" initialValues={{ start: dayjs().minute(0).second(0), duration: 8, unit: 'hours' }} onFinish={() => void compute()}>
        <Form.Item name="start" label={t('due.start')} rules={[{ required: true, message: t('create.required') }]} extra={t('due.startHelp', { zone })}>
          <DatePicker showTime={{ format: 'HH:mm' }} format="YYYY-MM-DD HH:mm" data-testid="due-start" />
        </Form.Item>
        <Form.Item name="duration" label={t('due.duration')} rules={[{ required: true, message: t('create.required') }]}>
          <InputNumber style={{ width: 120 }} data-testid="due-duration" />
        </Form.Item>
        <Form.Item name="unit" label={t('due.unit')}>
          <Select style={{ width: 160 }} options={DURATION_UNITS.map((u) => ({ value: u, label: t(`due.units.${u}`) }))} data-testid="due-unit" />
        </Form.Item>
        <Form.Item>
          <Button type="primary" htmlType="submit" loading={busy} data-testid="due-compute">
            {t('due.compute')}
          </Button>
        </Form.Item>
      </Form>
      <Typography.Paragraph type="secondary" style={{ marginTop: 8 }}>
        {t('due.daysRule')}
      </Typography.Paragraph>
      {result && (
        <Space orientation="vertical" size="middle" style={{ width: '100%' }} data-testid="due-result">
          {result.uncoveredYears.length > 0 && <Alert type="warning" showIcon title={t('due.uncovered', { years: result.uncoveredYears.join(', ') })} />}
          <Descriptions
            bordered
            size="small"
            column={1}
            items={[
              {
                key: 'due',
                label: t('due.result'),
                children: (
                  <>
                    <Typography.Text strong data-testid="due-at">
                      {show(result.due)}
                    </Typography.Text>{' '}
                    <Typography.Text type="secondary">({result.due})</Typography.Text>
                  </>
                ),
              },
              { key: 'counted', label: t('due.counted'), children: t('due.hours', { hours: formatHours(result.workingMinutes) }) },
              { key: 'calendar', label: t('due.calendar'), children: t('due.version', { version: result.calendar.version }) },
            ]}
          />
          <div>
            <Typography.Text strong>{t('due.windows')}</Typography.Text>
            {result.windowsTruncated && (
              <Typography.Text type="secondary" style={{ marginInlineStart: 8 }}>
                {t('due.windowsTruncated', { count: result.windows.length })}
              </Typography.Text>
            )}
            <Table<WorkingWindow>
              rowKey="start"
              size="small"
              columns={columns}
              dataSource={result.windows}
              pagination={result.windows.length > 20 ? { pageSize: 20, showSizeChanger: false } : false}
              data-testid="due-windows"
            />
          </div>
        </Space>
      )}
    </div>
  );
}
