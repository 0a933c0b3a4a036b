import { describe, expect, it } from 'vitest';
import { timelineLine } from './timeline-lines.ts';

describe('timelineLine', () => {
  it('an activity: its kind, subject, who logged it and the contacts', () => {
    const line = timelineLine({
      kind: 'activity',
      summary: { activityKind: 'visit', subject: '拜访信息中心', actorName: '王经理', contacts: [{ id: 'c1', name: '李主任' }, { bad: 1 }] },
    });
    expect(line).toMatchObject({ eventKey: 'activity', activityKind: 'visit', text: '拜访信息中心', actor: '王经理', stages: null, amount: null });
    expect(line.contacts).toEqual([{ id: 'c1', name: '李主任' }]);
  });

  it('a stage change: number and name, the stages and the amount', () => {
    const line = timelineLine({
      kind: 'opportunity.stage_changed',
      summary: { number: 'OPP-0042', name: '政务云扩容', fromStage: 'qualify', toStage: 'solution', amount: { amount: '1200000.00', currency: 'CNY' } },
    });
    expect(line.eventKey).toBe('opportunity_stage_changed');
    expect(line.text).toBe('OPP-0042 政务云扩容');
    expect(line.stages).toEqual({ from: 'qualify', to: 'solution' });
    expect(line.amount).toEqual({ amount: '1200000.00', currency: 'CNY' });
    expect(line.activityKind).toBeNull();
  });

  it('an event it does not know: "other", the raw kind as text', () => {
    expect(timelineLine({ kind: 'invoice.issued', summary: {} })).toMatchObject({ eventKey: 'other', text: 'invoice.issued' });
  });
});
