import { CloudDownloadOutlined, DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { useQueryClient } from '@tanstack/react-query';
import { App, Button, Card, Col, DatePicker, Form, Input, Modal, Popconfirm, Row, Select, Table, Tag, Typography, type TableProps } from 'antd';
import type { Dayjs } from 'dayjs';
import { useState } from 'react';
import { CHINA_SCHEDULES } from '../../../server/modules/calendar/china-holidays.ts';
import type { CalendarDetail, Holiday, MakeUpDay, TimeWindow } from '../../../server/modules/calendar/contract.ts';
import { ApiProblem, type FieldError } from '../../http/api-problem.ts';
import { applyProblemToForm } from '../../http/form-errors.ts';
import { ProblemAlert } from '../../components/problem-alert.tsx';
import { useShowProblem } from '../../components/use-show-problem.ts';
import { useLocale } from '../../i18n/use-locale.ts';
import { calendarApi, calendarKeys } from './calendar-api.ts';
import { calendarName } from './calendar-format.ts';
import { useCalendarT, type CalendarT } from './calendar-i18n.ts';

type Part = 'whole' | 'morning' | 'afternoon';
const PART_WINDOWS: Record<Part, TimeWindow[] | null> = {
  whole: null,
  morning: [{ start: '00:00', end: '12:00' }],
  afternoon: [{ start: '12:00', end: '24:00' }],
};

const WEEKDAY_KEYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;

function weekdayOf(date: string): (typeof WEEKDAY_KEYS)[number] {
  return WEEKDAY_KEYS[new Date(`${date}T00:00:00Z`).getUTCDay()]!;
}

function windowsText(windows: readonly TimeWindow[] | null): string | null {
  return windows ? windows.map((w) => `${w.start}–${w.end}`).join(', ') : null;
}

function partLabel(offWindows: readonly TimeWindow[] | null, t: CalendarT): string {
  const text = windowsText(offWindows);
  if (text === null) return t('days.whole');
  if (text === '00:00–12:00') return t('days.morning');
  if (text === '12:00–24:00') return t('days.afternoon');
  return text;
}

/** The calendar's holidays and make-up working days: lists with add and remove, and the official import. */
export function DayLists({ calendar, editable }: { calendar: CalendarDetail; editable: boolean }) {
  const { t } = useCalendarT();
  const locale = useLocale();
  const { message } = App.useApp();
  const showProblem = useShowProblem();
  const queryClient = useQueryClient();
  const [adding, setAdding] = useState<'holiday' | 'makeUpDay' | null>(null);
  const [importing, setImporting] = useState(false);
  const refresh = () => void queryClient.invalidateQueries({ queryKey: calendarKeys.all });

  const remove = async (kind: 'holiday' | 'makeUpDay', day: Holiday | MakeUpDay) => {
    try {
      if (kind === 'holiday') await calendarApi.removeHoliday(calendar.id, day.id, day.version);
      else await calendarApi.removeMakeUpDay(calendar.id, day.id, day.version);
      void message.success(t('days.removed', { date: day.date }));
    } catch (err) {
      showProblem(err);
    } finally {
      refresh();
    }
  };

  const common = (kind: 'holiday' | 'makeUpDay'): TableProps<Holiday | MakeUpDay>['columns'] => [
    {
      key: 'date',
      title: t('days.date'),
      width: 150,
      render: (_, d) => (
        <span style={{ whiteSpace: 'nowrap' }}>
          {d.date} <Typography.Text type="secondary">{t(`weekdaysShort.${weekdayOf(d.date)}`)}</Typography.Text>
        </span>
      ),
    },
    { key: 'name', title: t('days.name'), render: (_, d) => calendarName(d, locale) },
    kind === 'holiday'
      ? { key: 'part', title: t('days.part'), render: (_, d) => partLabel((d as Holiday).offWindows, t) }
      : { key: 'windows', title: t('days.windows'), render: (_, d) => windowsText((d as MakeUpDay).windows) ?? t('days.defaultWindows') },
    { key: 'source', title: t('days.source'), render: (_, d) => <Tag color={d.source === 'manual' ? 'default' : 'blue'}>{t(`days.${d.source}`)}</Tag> },
    ...(editable
      ? [
          {
            key: 'actions',
            width: 56,
            render: (_: unknown, d: Holiday | MakeUpDay) => (
              <Popconfirm title={t('days.removeConfirm', { date: d.date })} onConfirm={() => remove(kind, d)}>
                <Button size="small" icon={<DeleteOutlined />} aria-label={t('days.remove')} data-testid={`remove-${kind}-${d.date}`} />
              </Popconfirm>
            ),
          },
        ]
      : []),
  ];

  return (
    <div data-testid="calendar-day-lists">
      {editable && (
        <div style={{ display: 'flex', gap: 8, marginBottom: 16, flexWrap: 'wrap' }}>
          <Button icon={<PlusOutlined />} onClick={() => setAdding('holiday')} data-testid="add-holiday">
            {t('days.addHoliday')}
          </Button>
          <Button icon={<PlusOutlined />} onClick={() => setAdding('makeUpDay')} data-testid="add-makeup-day">
            {t('days.addMakeUpDay')}
          </Button>
          <Button icon={<CloudDownloadOutlined />} onClick={() => setImporting(true)} data-testid="import-official">
            {t('days.import')}
          </Button>
        </div>
      )}
      <Row gutter={[16, 16]}>
        <Col xs={24} xxl={12}>
          <Card size="small" title={`${t('days.holidays')} (${calendar.holidays.length})`}>
            <Table<Holiday | MakeUpDay>
              rowKey="id"
              size="small"
              columns={common('holiday')}
              dataSource={calendar.holidays}
              pagination={calendar.holidays.length > 20 ? { pageSize: 20, showSizeChanger: false } : false}
              locale={{ emptyText: t('days.empty') }}
              data-testid="holiday-table"
            />
          </Card>
        </Col>
        <Col xs={24} xxl={12}>
          <Card size="small" title={`${t('days.makeUpDays')} (${calendar.makeUpDays.length})`}>
            <Table<Holiday | MakeUpDay>
              rowKey="id"
              size="small"
              columns={common('makeUpDay')}
              dataSource={calendar.makeUpDays}
              pagination={false}
              locale={{ emptyText: t('days.empty') }}
              data-testid="makeup-table"
            />
          </Card>
        </Col>
      </Row>
      {adding && <AddDayModal calendar={calendar} kind={adding} onClose={() => setAdding(null)} onSaved={refresh} />}
      {importing && <ImportModal calendar={calendar} onClose={() => setImporting(false)} onSaved={refresh} />}
    </div>
  );
}

interface AddDayValues {
  date: Dayjs | null;
  nameZh: string;
  nameEn?: string;
  part?: Part;
}

function AddDayModal({ calendar, kind, onClose, onSaved }: { calendar: CalendarDetail; kind: 'holiday' | 'makeUpDay'; onClose: () => void; onSaved: () => void }) {
  const { t } = useCalendarT();
  const { message } = App.useApp();
  const [form] = Form.useForm<AddDayValues>();
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const [unmatched, setUnmatched] = useState<FieldError[]>([]);
  const [saving, setSaving] = useState(false);

  const submit = async () => {
    let values: AddDayValues;
    try {
      values = await form.validateFields();
    } catch {
      return;
    }
    const date = values.date!.format('YYYY-MM-DD');
    const names = { date, nameZh: values.nameZh.trim(), ...(values.nameEn?.trim() ? { nameEn: values.nameEn.trim() } : {}) };
    setSaving(true);
    setProblem(null);
    try {
      if (kind === 'holiday') await calendarApi.addHoliday(calendar.id, { ...names, offWindows: PART_WINDOWS[values.part ?? 'whole'] });
      else await calendarApi.addMakeUpDay(calendar.id, names);
      void message.success(t('days.added', { date }));
      onSaved();
      onClose();
    } catch (err) {
      if (!(err instanceof ApiProblem)) throw err;
      setProblem(err);
      const rest = applyProblemToForm(form, err, ['date', 'nameZh', 'nameEn']);
      // The part-day choice is the form's field for the off windows.
      const onPart = (e: FieldError) => kind === 'holiday' && e.path.startsWith('offWindows');
      if (kind === 'holiday') form.setFields([{ name: 'part', errors: rest.filter(onPart).map((e) => e.message) }]);
      setUnmatched(rest.filter((e) => !onPart(e)));
    } finally {
      setSaving(false);
    }
  };

  return (
    <Modal
      open
      title={kind === 'holiday' ? t('days.addHoliday') : t('days.addMakeUpDay')}
      onCancel={onClose}
      onOk={() => void submit()}
      okText={t('days.add')}
      confirmLoading={saving}
      destroyOnHidden
      data-testid="add-day-modal"
    >
      <ProblemAlert problem={problem} unmatched={unmatched} />
      <Form<AddDayValues> form={form} layout="vertical" initialValues={{ part: 'whole' }}>
        <Form.Item name="date" label={t('days.date')} rules={[{ required: true, message: t('create.required') }]}>
          <DatePicker style={{ width: 200 }} data-testid="add-day-date" />
        </Form.Item>
        <Form.Item name="nameZh" label={t('days.nameZh')} rules={[{ required: true, whitespace: true, message: t('create.required') }]}>
          <Input maxLength={100} data-testid="add-day-name-zh" />
        </Form.Item>
        <Form.Item name="nameEn" label={t('days.nameEn')}>
          <Input maxLength={100} data-testid="add-day-name-en" />
        </Form.Item>
        {kind === 'holiday' && (
          <Form.Item name="part" label={t('days.part')}>
            <Select
              options={(['whole', 'morning', 'afternoon'] as const).map((p) => ({ value: p, label: t(`days.${p}`) }))}
              data-testid="add-day-part"
            />
          </Form.Item>
        )}
      </Form>
    </Modal>
  );
}

function ImportModal({ calendar, onClose, onSaved }: { calendar: CalendarDetail; onClose: () => void; onSaved: () => void }) {
  const { t } = useCalendarT();
  const { message } = App.useApp();
  const years = CHINA_SCHEDULES.map((s) => s.year).sort((a, b) => a - b);
  const [year, setYear] = useState<number>(() => years.find((y) => y >= calendar.validity.fromYear) ?? years[0]!);
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const [saving, setSaving] = useState(false);

  const submit = async () => {
    setSaving(true);
    setProblem(null);
    try {
      const result = await calendarApi.importOfficial(calendar.id, { country: 'CN', year });
      void message.success(t('days.imported', { year, holidays: result.holidaysAdded, makeUps: result.makeUpDaysAdded }));
      onSaved();
      onClose();
    } catch (err) {
      if (!(err instanceof ApiProblem)) throw err;
      setProblem(err);
    } finally {
      setSaving(false);
    }
  };

  return (
    <Modal open title={t('days.importTitle')} onCancel={onClose} onOk={() => void submit()} okText={t('days.import')} confirmLoading={saving} data-testid="import-modal">
      <ProblemAlert problem={problem} />
      <Typography.Paragraph type="secondary">{t('days.importHelp')}</Typography.Paragraph>
      <Typography.Text>{t('days.importYear')}</Typography.Text>
      <div>
        <Select value={year} onChange={setYear} options={years.map((y) => ({ value: y, label: String(y) }))} style={{ width: 160 }} data-testid="import-year" />
      </div>
    </Modal>
  );
}
