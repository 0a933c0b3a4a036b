import { CopyOutlined, DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { useQueryClient } from '@tanstack/react-query';
import { Alert, App, AutoComplete, Button, Divider, Input, InputNumber, Space, Switch, Typography } from 'antd';
import { useMemo, useState } from 'react';
import type { CalendarDetail, TimeWindow } from '../../../server/modules/calendar/contract.ts';
import { ApiProblem } from '../../http/api-problem.ts';
import { ProblemAlert } from '../../components/problem-alert.tsx';
import { calendarApi, calendarKeys } from './calendar-api.ts';
import { useCalendarT } from './calendar-i18n.ts';
import { formatHours } from './month-grid.ts';
import {
  WEEKDAYS,
  checkHoursDraft,
  copyMondayToWeekdays,
  dayMinutes,
  draftFromCalendar,
  groupErrors,
  hoursBody,
  otherErrors,
  windowErrors,
  type DraftError,
  type HoursDraft,
} from './week-draft.ts';

const TIME_ZONES = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : ['Asia/Shanghai', 'UTC'];
type Weekday = (typeof WEEKDAYS)[number];

/**
 * The week's working windows (several per day: the lunch break is the gap), or 24×7, plus the zone
 * and the validity years. Checked with the contract the server uses before saving; the server's
 * field errors land on the same windows. Mount it with `key={calendar.version}`: a saved or
 * reloaded version starts a fresh draft.
 */
export function WeekEditor({ calendar, editable }: { calendar: CalendarDetail; editable: boolean }) {
  const { t, tv } = useCalendarT();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [draft, setDraft] = useState<HoursDraft>(() => draftFromCalendar(calendar));
  const [errors, setErrors] = useState<DraftError[]>([]);
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const [saving, setSaving] = useState(false);
  const byPath = useMemo(() => groupErrors(errors), [errors]);
  const zoneOptions = useMemo(() => TIME_ZONES.map((z) => ({ value: z })), []);
  const disabled = !editable || saving;

  const change = (next: HoursDraft) => {
    setDraft(next);
    if (errors.length > 0) setErrors(checkHoursDraft(calendar, next));
  };
  const setDay = (day: Weekday, windows: readonly TimeWindow[]) => change({ ...draft, days: { ...draft.days, [day]: windows } });

  const save = async () => {
    const found = checkHoursDraft(calendar, draft);
    setErrors(found);
    setProblem(null);
    if (found.length > 0) return;
    const body = hoursBody(draft);
    // Saving an unchanged week would only bump the version.
    if (JSON.stringify(body) === JSON.stringify(hoursBody(draftFromCalendar(calendar)))) return;
    setSaving(true);
    try {
      const saved = await calendarApi.update(calendar.id, { version: calendar.version, ...body });
      void message.success(t('week.saved', { version: saved.version }));
      queryClient.setQueryData(calendarKeys.detail(saved.id), saved);
      void queryClient.invalidateQueries({ queryKey: calendarKeys.list });
    } catch (err) {
      if (!(err instanceof ApiProblem)) throw err;
      if (err.isVersionConflict) {
        void message.warning(t('week.conflict'));
        void queryClient.invalidateQueries({ queryKey: calendarKeys.detail(calendar.id) });
        return;
      }
      setProblem(err);
      setErrors(err.errors.map((e) => ({ path: e.path, message: e.message })));
    } finally {
      setSaving(false);
    }
  };

  const weekMinutes = draft.always ? 7 * 24 * 60 : WEEKDAYS.reduce((s, d) => s + dayMinutes(draft.days[d]), 0);
  const others = otherErrors(errors);
  const zoneErrors = byPath.get('timeZone') ?? [];
  const validityErrors = [...byPath.entries()].filter(([p]) => p.startsWith('validity')).flatMap(([, m]) => m);

  return (
    <div data-testid="calendar-week-editor">
      {!editable && <Alert type="info" showIcon title={t('week.readOnly')} style={{ marginBottom: 16 }} />}
      <ProblemAlert problem={problem} />
      <Space wrap align="start" size="large" style={{ marginBottom: 8 }}>
        <div>
          <Typography.Text type="secondary">{t('week.timeZone')}</Typography.Text>
          <div>
            <AutoComplete
              value={draft.timeZone}
              options={zoneOptions}
              showSearch={{ filterOption: true }}
              onChange={(v: string) => change({ ...draft, timeZone: v })}
              disabled={disabled}
              status={zoneErrors.length > 0 ? 'error' : undefined}
              style={{ width: 240 }}
              data-testid="week-timezone"
            />
          </div>
          <FieldMessages messages={zoneErrors} tv={tv} />
        </div>
        <div>
          <Typography.Text type="secondary">{t('week.validity')}</Typography.Text>
          <div>
            <Space>
              <InputNumber
                aria-label={t('week.fromYear')}
                value={draft.validity.fromYear}
                min={1900}
                max={2400}
                precision={0}
                onChange={(v) => change({ ...draft, validity: { ...draft.validity, fromYear: Number(v ?? draft.validity.fromYear) } })}
                disabled={disabled}
                status={validityErrors.length > 0 ? 'error' : undefined}
                data-testid="week-from-year"
              />
              –
              <InputNumber
                aria-label={t('week.toYear')}
                value={draft.validity.toYear}
                min={1900}
                max={2400}
                precision={0}
                onChange={(v) => change({ ...draft, validity: { ...draft.validity, toYear: Number(v ?? draft.validity.toYear) } })}
                disabled={disabled}
                status={validityErrors.length > 0 ? 'error' : undefined}
                data-testid="week-to-year"
              />
            </Space>
          </div>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {t('week.validityHelp')}
          </Typography.Text>
          <FieldMessages messages={validityErrors} tv={tv} />
        </div>
      </Space>
      <Divider />
      <Space style={{ marginBottom: 12 }} wrap>
        <Switch checked={draft.always} onChange={(always) => change({ ...draft, always })} disabled={disabled} data-testid="week-always" />
        <Typography.Text>{t('week.always')}</Typography.Text>
        {!draft.always && (
          <Button icon={<CopyOutlined />} onClick={() => change({ ...draft, days: copyMondayToWeekdays(draft.days) })} disabled={disabled} data-testid="week-copy-monday">
            {t('week.copyMonday')}
          </Button>
        )}
        <Typography.Text type="secondary">{t('week.weekTotal', { hours: formatHours(weekMinutes) })}</Typography.Text>
      </Space>
      {!draft.always &&
        WEEKDAYS.map((day) => (
          <div key={day} style={{ display: 'flex', gap: 16, padding: '8px 0', alignItems: 'flex-start' }} data-testid={`week-day-${day}`}>
            <div style={{ width: 96, paddingTop: 4 }}>
              <Typography.Text strong>{t(`weekdays.${day}`)}</Typography.Text>
              <div>
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {t('week.dayTotal', { hours: formatHours(dayMinutes(draft.days[day])) })}
                </Typography.Text>
              </div>
            </div>
            <div style={{ flex: 1 }}>
              {draft.days[day].length === 0 && (
                <Typography.Text type="secondary" style={{ display: 'inline-block', paddingTop: 4, marginRight: 12 }}>
                  {t('week.noWindows')}
                </Typography.Text>
              )}
              {draft.days[day].map((w, i) => {
                const messages = windowErrors(byPath, day, i);
                const status = messages.length > 0 ? 'error' : undefined;
                const update = (patch: Partial<TimeWindow>) => setDay(day, draft.days[day].map((x, k) => (k === i ? { ...x, ...patch } : x)));
                return (
                  <div key={i} style={{ marginBottom: 6 }}>
                    <Space>
                      <Input
                        aria-label={`${t(`weekdays.${day}`)} ${i + 1} ${t('week.start')}`}
                        placeholder="09:00"
                        value={w.start}
                        onChange={(e) => update({ start: e.target.value.trim() })}
                        disabled={disabled}
                        status={status}
                        style={{ width: 84 }}
                        data-testid={`window-${day}-${i}-start`}
                      />
                      –
                      <Input
                        aria-label={`${t(`weekdays.${day}`)} ${i + 1} ${t('week.end')}`}
                        placeholder="18:00"
                        value={w.end}
                        onChange={(e) => update({ end: e.target.value.trim() })}
                        disabled={disabled}
                        status={status}
                        style={{ width: 84 }}
                        data-testid={`window-${day}-${i}-end`}
                      />
                      <Button
                        icon={<DeleteOutlined />}
                        aria-label={t('week.removeWindow')}
                        onClick={() => setDay(day, draft.days[day].filter((_, k) => k !== i))}
                        disabled={disabled}
                        data-testid={`window-${day}-${i}-remove`}
                      />
                    </Space>
                    <FieldMessages messages={messages} tv={tv} testId={`window-${day}-${i}-error`} />
                  </div>
                );
              })}
              <Button
                type="dashed"
                size="small"
                icon={<PlusOutlined />}
                onClick={() => setDay(day, [...draft.days[day], { start: '', end: '' }])}
                disabled={disabled}
                data-testid={`window-${day}-add`}
              >
                {t('week.addWindow')}
              </Button>
            </div>
          </div>
        ))}
      {others.length > 0 && (
        <Alert
          type="error"
          showIcon
          title={t('week.otherErrors')}
          description={
            <ul style={{ margin: 0, paddingInlineStart: 20 }}>
              {others.map((e) => (
                <li key={`${e.path}:${e.message}`}>
                  {e.path}: {tv(e.message)}
                </li>
              ))}
            </ul>
          }
          style={{ marginTop: 16 }}
          data-testid="week-other-errors"
        />
      )}
      {editable && (
        <div style={{ marginTop: 16 }}>
          <Button type="primary" loading={saving} onClick={() => void save()} data-testid="week-save">
            {t('week.save')}
          </Button>
        </div>
      )}
    </div>
  );
}

function FieldMessages({ messages, tv, testId }: { messages: readonly string[]; tv: (m: string) => string; testId?: string }) {
  if (messages.length === 0) return null;
  return (
    <div data-testid={testId}>
      {messages.map((m) => (
        <Typography.Text key={m} type="danger" style={{ display: 'block', fontSize: 12 }}>
          {tv(m)}
        </Typography.Text>
      ))}
    </div>
  );
}
