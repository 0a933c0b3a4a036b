import { describe, expect, it } from 'vitest';
import { formatDuration, splitDuration } from './stage-duration.ts';

describe('splitDuration', () => {
  it('splits into days, hours and minutes, dropping seconds', () => {
    // 3 d 4 h 5 min 59 s = 273_959_000 ms
    expect(splitDuration(3 * 86_400_000 + 4 * 3_600_000 + 5 * 60_000 + 59_000)).toEqual({ days: 3, hours: 4, minutes: 5 });
    expect(splitDuration(-5)).toEqual({ days: 0, hours: 0, minutes: 0 });
  });

  it('chooses the largest unit that is not zero', () => {
    const t = (key: string, p: Record<string, number>) => `${key}:${Object.values(p).join(',')}`;
    expect(formatDuration(90_000_000, t)).toBe('duration.daysHours:1,1');
    expect(formatDuration(7_200_000, t)).toBe('duration.hours:2');
    expect(formatDuration(59_000, t)).toBe('duration.minutes:0');
  });
});
