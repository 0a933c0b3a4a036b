import { PlusOutlined } from '@ant-design/icons';
import { Button, Card, Col, Empty, Row, Skeleton, Tabs, Tag } from 'antd';
import { useState } from 'react';
import type { CalendarDetail } from '../../../server/modules/calendar/contract.ts';
import { ApiProblem } from '../../http/api-problem.ts';
import { PageHeader } from '../../components/page-header.tsx';
import { ProblemAlert } from '../../components/problem-alert.tsx';
import { useLocale } from '../../i18n/use-locale.ts';
import { type Session, useSession } from '../org/auth/use-session.ts';
import { EntityHistoryCard } from '../platform/audit/entity-history-card.tsx';
import { calendarName } from './calendar-format.ts';
import { useCalendarT } from './calendar-i18n.ts';
import { CalendarList } from './calendar-list.tsx';
import { useCalendar, useCalendars } from './calendar-queries.ts';
import { CreateCalendarModal } from './create-calendar-modal.tsx';
import { DayLists } from './day-lists.tsx';
import { DueTester } from './due-tester.tsx';
import { WeekEditor } from './week-editor.tsx';
import { YearViewPanel } from './year-view.tsx';

/**
 * Whether the signed-in user may change a calendar. Admins may change any; department heads
 * (resource managers, subtree scope) the ones a unit owns, which the server checks against their
 * subtree. The server decides either way; this only hides controls that would be refused.
 */
function canEdit(session: Session, calendar: CalendarDetail): boolean {
  const scope = session.scopeOf('calendar.write');
  return scope === 'all' || (scope !== undefined && calendar.ownerUnitId !== null);
}

/** Working calendars: the list, and for the selected one its year, week, days and the due tester. */
export default function CalendarPage() {
  const { t } = useCalendarT();
  const locale = useLocale();
  const session = useSession();
  const list = useCalendars();
  const [picked, setPicked] = useState<string | undefined>();
  const [creating, setCreating] = useState(false);
  const calendars = list.data?.items ?? [];
  const selectedId = picked ?? calendars[0]?.id;
  const detail = useCalendar(selectedId);
  const calendar = detail.data;
  const editable = calendar ? canEdit(session, calendar) : false;

  return (
    <div data-testid="calendar-page">
      <PageHeader
        title={t('title')}
        subtitle={t('subtitle')}
        extra={
          session.can('calendar.write') && (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="calendar-create">
              {t('list.new')}
            </Button>
          )
        }
      />
      {list.error instanceof ApiProblem && <ProblemAlert problem={list.error} />}
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={7} xxl={5}>
          <Card title={t('list.title')} styles={{ body: { padding: 12 } }}>
            {list.isPending ? <Skeleton active /> : <CalendarList calendars={calendars} selectedId={selectedId} onSelect={setPicked} />}
          </Card>
        </Col>
        <Col xs={24} lg={17} xxl={19}>
          {detail.error instanceof ApiProblem && <ProblemAlert problem={detail.error} />}
          {calendar ? (
            <Card
              title={calendarName(calendar, locale)}
              extra={
                <span>
                  <Tag>{calendar.timeZone}</Tag>
                  <Tag color="blue">{t('list.version', { version: calendar.version })}</Tag>
                </span>
              }
              data-testid="calendar-detail"
            >
              <Tabs
                destroyOnHidden
                items={[
                  { key: 'year', label: t('tabs.year'), children: <YearViewPanel key={calendar.id} calendar={calendar} /> },
                  { key: 'week', label: t('tabs.week'), children: <WeekEditor key={`${calendar.id}@${calendar.version}`} calendar={calendar} editable={editable} /> },
                  { key: 'days', label: t('tabs.days'), children: <DayLists calendar={calendar} editable={editable} /> },
                  { key: 'due', label: t('tabs.due'), children: <DueTester key={calendar.id} calendar={calendar} /> },
                  { key: 'history', label: t('tabs.history'), children: <EntityHistoryCard entityType="calendar" entityId={calendar.id} title={t('tabs.history')} /> },
                ]}
              />
            </Card>
          ) : (
            <Card>{selectedId && detail.isPending ? <Skeleton active paragraph={{ rows: 10 }} /> : <Empty description={t('list.select')} />}</Card>
          )}
        </Col>
      </Row>
      {creating && <CreateCalendarModal onClose={() => setCreating(false)} onCreated={(c) => setPicked(c.id)} />}
    </div>
  );
}
