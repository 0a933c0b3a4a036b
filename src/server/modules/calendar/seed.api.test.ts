import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withTx } from '../../platform/db.ts';
import { type TestApp, createTestApp, sql } from '../../testing/test-app.ts';
import { seedCalendars } from './seed.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

describe('demo calendars', () => {
  it('the mainland China calendar covers the company, the 24×7 one the service unit', async () => {
    const result = await withTx(t.database.db, (tx) => seedCalendars(tx, { companyUnitId: t.fixture.units.company, serviceUnitId: t.fixture.units.delivery1 }));
    expect(result.rows).toEqual({ business_calendars: 2, calendar_holidays: 33, calendar_makeup_days: 6, calendar_assignments: 2 });
    const admin = await t.as('admin');
    const office = (await admin.get(`/api/v1/calendars/${result.officeCalendarId}`)).json();
    expect(office).toMatchObject({ nameZh: '中国大陆标准工作日历', nameEn: 'Mainland China standard calendar', timeZone: 'Asia/Shanghai', validity: { fromYear: 2026, toYear: 2026 } });
    expect(office.hours.days.mon).toEqual([
      { start: '09:00', end: '12:00' },
      { start: '13:30', end: '18:00' },
    ]);
    // Everyone below the company gets the office calendar; the delivery department the 24×7 one.
    // Mon 2026-03-02 … Sun 03-08 has no holidays: 5 × 7.5 h = 37.5 h; 24×7: 7 × 24 = 168 h.
    const rep = (await admin.get(`/api/v1/users/${t.fixture.users.repD}/capacity?from=2026-03-02&to=2026-03-08`)).json();
    expect(rep.calendar).toMatchObject({ id: result.officeCalendarId, unitId: t.fixture.units.company });
    expect(rep.capacity.hours).toBe(37.5);
    const engineer = (await admin.get(`/api/v1/users/${t.fixture.users.engineer}/capacity?from=2026-03-02&to=2026-03-08`)).json();
    expect(engineer.calendar).toMatchObject({ id: result.serviceCalendarId, unitId: t.fixture.units.delivery1 });
    expect(engineer.capacity.hours).toBe(168);
    const [stored] = await t.rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM calendar_holidays WHERE source = 'official_cn'`);
    expect(stored!.n).toBe(33);
  });
});
