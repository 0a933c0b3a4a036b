import { LeftOutlined, RightOutlined } from '@ant-design/icons';
import { Alert, Button, Col, Row, Skeleton, Space, Statistic, Tooltip, Typography, theme } from 'antd';
import type { GlobalToken } from 'antd';
import { useState } from 'react';
import type { CalendarDetail, DayKind, YearDay } from '../../../server/modules/calendar/contract.ts';
import { WEEKDAYS } from '../../../server/modules/calendar/contract.ts';
import { ApiProblem } from '../../http/api-problem.ts';
import { ProblemAlert } from '../../components/problem-alert.tsx';
import { useLocale } from '../../i18n/use-locale.ts';
import { monthName, yearInZone } from './calendar-format.ts';
import { useCalendarT } from './calendar-i18n.ts';
import { useYearView } from './calendar-queries.ts';
import { buildMonthGrid, formatHours } from './month-grid.ts';

const KINDS: DayKind[] = ['workday', 'weekend', 'holiday', 'makeup_workday'];

function kindStyle(kind: DayKind, token: GlobalToken): { background: string; color: string; border: string } {
  switch (kind) {
    case 'workday':
      return { background: token.colorPrimaryBg, color: token.colorText, border: token.colorPrimaryBorder };
    case 'weekend':
      return { background: token.colorFillTertiary, color: token.colorTextTertiary, border: 'transparent' };
    case 'holiday':
      return { background: token.colorErrorBg, color: token.colorError, border: token.colorErrorBorder };
    case 'makeup_workday':
      return { background: token.colorWarningBg, color: token.colorWarningText, border: token.colorWarning };
  }
}

/** Twelve month grids of one year: working days, rest days, holidays and make-up days, with a legend. */
export function YearViewPanel({ calendar }: { calendar: CalendarDetail }) {
  const { t } = useCalendarT();
  const { token } = theme.useToken();
  const now = yearInZone(calendar.timeZone);
  const [year, setYear] = useState(() => Math.min(Math.max(now, calendar.validity.fromYear), calendar.validity.toYear));
  const view = useYearView(calendar.id, year, calendar.version);

  return (
    <div data-testid="calendar-year-view">
      <Space wrap style={{ marginBottom: 16, width: '100%', justifyContent: 'space-between' }}>
        <Space>
          <Button icon={<LeftOutlined />} aria-label={String(year - 1)} onClick={() => setYear(year - 1)} disabled={year <= 1900} data-testid="year-prev" />
          <Typography.Title level={5} style={{ margin: 0, minWidth: 56, textAlign: 'center' }} data-testid="year-label">
            {year}
          </Typography.Title>
          <Button icon={<RightOutlined />} aria-label={String(year + 1)} onClick={() => setYear(year + 1)} disabled={year >= 2400} data-testid="year-next" />
        </Space>
        <Space wrap size="middle" aria-label={t('year.legend')} data-testid="year-legend">
          {KINDS.map((k) => {
            const s = kindStyle(k, token);
            return (
              <Space key={k} size={6}>
                <span style={{ display: 'inline-block', width: 14, height: 14, borderRadius: 3, background: s.background, border: `1px solid ${s.border}` }} />
                <Typography.Text>{t(`kinds.${k}`)}</Typography.Text>
              </Space>
            );
          })}
        </Space>
      </Space>
      {view.error instanceof ApiProblem && <ProblemAlert problem={view.error} />}
      {view.data && !view.data.covered && <Alert type="warning" showIcon title={t('year.notCovered', { year })} style={{ marginBottom: 16 }} data-testid="year-not-covered" />}
      {view.data ? (
        <>
          <Row gutter={16} style={{ marginBottom: 16 }}>
            <Col xs={12} md={6}>
              <Statistic title={t('year.workdays')} value={view.data.totals.workdays} />
            </Col>
            <Col xs={12} md={6}>
              <Statistic title={t('year.workingHours')} value={formatHours(view.data.totals.workingHours * 60)} />
            </Col>
            <Col xs={12} md={6}>
              <Statistic title={t('year.holidays')} value={view.data.totals.holidays} />
            </Col>
            <Col xs={12} md={6}>
              <Statistic title={t('year.makeupWorkdays')} value={view.data.totals.makeupWorkdays} />
            </Col>
          </Row>
          <Row gutter={[16, 16]}>
            {Array.from({ length: 12 }, (_, i) => i + 1).map((month) => (
              <Col key={month} xs={24} sm={12} lg={8} xxl={6}>
                <MonthGrid month={month} days={view.data.days} />
              </Col>
            ))}
          </Row>
        </>
      ) : (
        !view.error && <Skeleton active paragraph={{ rows: 12 }} />
      )}
    </div>
  );
}

function MonthGrid({ month, days }: { month: number; days: readonly YearDay[] }) {
  const { t } = useCalendarT();
  const locale = useLocale();
  const { token } = theme.useToken();
  const weeks = buildMonthGrid(days, month);
  const tip = (d: YearDay) => {
    const name = locale === 'en' ? (d.nameEn ?? d.nameZh) : d.nameZh;
    return [
      t('year.dayTitle', { date: d.date, kind: t(`kinds.${d.kind}`) }),
      name,
      d.partial ? t('year.partial') : null,
      t('year.hours', { hours: formatHours(d.minutes) }),
    ]
      .filter(Boolean)
      .join(' · ');
  };
  return (
    <div data-testid={`month-${month}`}>
      <Typography.Text strong>{monthName(month, locale)}</Typography.Text>
      <table style={{ width: '100%', borderCollapse: 'separate', borderSpacing: 2, marginTop: 4, tableLayout: 'fixed' }}>
        <thead>
          <tr>
            {WEEKDAYS.map((w) => (
              <th key={w} style={{ fontWeight: 400, fontSize: 12, color: token.colorTextSecondary }}>
                {t(`weekdaysShort.${w}`)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {weeks.map((week, i) => (
            <tr key={i}>
              {week.map((d, j) => {
                if (!d) return <td key={j} />;
                const s = kindStyle(d.kind, token);
                return (
                  <td key={j} style={{ padding: 0 }}>
                    <Tooltip title={tip(d)}>
                      <div
                        data-testid={`day-${d.date}`}
                        data-kind={d.kind}
                        aria-label={tip(d)}
                        style={{
                          textAlign: 'center',
                          fontSize: 12,
                          lineHeight: '24px',
                          borderRadius: 4,
                          background: s.background,
                          color: s.color,
                          border: `1px ${d.partial ? 'dashed' : 'solid'} ${s.border}`,
                          fontWeight: d.kind === 'holiday' || d.kind === 'makeup_workday' ? 600 : 400,
                        }}
                      >
                        {Number(d.date.slice(8, 10))}
                      </div>
                    </Tooltip>
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
