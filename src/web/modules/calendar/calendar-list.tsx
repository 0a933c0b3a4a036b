import { Tag, Typography, theme } from 'antd';
import type { CalendarSummary } from '../../../server/modules/calendar/contract.ts';
import { useLocale } from '../../i18n/use-locale.ts';
import { calendarName } from './calendar-format.ts';
import { useCalendarT } from './calendar-i18n.ts';

/** The calendars, one row each; the selected one is highlighted. */
export function CalendarList({ calendars, selectedId, onSelect }: { calendars: readonly CalendarSummary[]; selectedId: string | undefined; onSelect: (id: string) => void }) {
  const { t } = useCalendarT();
  const locale = useLocale();
  const { token } = theme.useToken();
  if (calendars.length === 0) return <Typography.Text type="secondary">{t('list.empty')}</Typography.Text>;
  return (
    <div role="listbox" aria-label={t('list.title')} data-testid="calendar-list">
      {calendars.map((c) => {
        const selected = c.id === selectedId;
        return (
          <div
            key={c.id}
            role="option"
            aria-selected={selected}
            tabIndex={0}
            onClick={() => onSelect(c.id)}
            onKeyDown={(e) => {
              if (e.key === 'Enter' || e.key === ' ') onSelect(c.id);
            }}
            data-testid={`calendar-item-${c.id}`}
            style={{
              cursor: 'pointer',
              padding: '10px 12px',
              borderRadius: token.borderRadius,
              marginBottom: 4,
              background: selected ? token.controlItemBgActive : undefined,
              border: `1px solid ${selected ? token.colorPrimaryBorder : 'transparent'}`,
            }}
          >
            <Typography.Text strong>{calendarName(c, locale)}</Typography.Text>
            <div style={{ marginTop: 4, display: 'flex', flexWrap: 'wrap', gap: 4 }}>
              <Tag>{c.hours.kind === 'always' ? t('list.always') : t('list.weekly')}</Tag>
              <Tag>{c.timeZone}</Tag>
              {!c.active && <Tag color="default">{t('list.inactive')}</Tag>}
              {c.assignmentCount > 0 && <Tag color="blue">{t('list.assigned', { count: c.assignmentCount })}</Tag>}
            </div>
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {t('list.validity', { from: c.validity.fromYear, to: c.validity.toYear })} · {t('list.version', { version: c.version })}
            </Typography.Text>
          </div>
        );
      })}
    </div>
  );
}
