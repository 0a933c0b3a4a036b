/** Time spent in a stage, split for display: whole days and hours, or minutes when under an hour. */
export function splitDuration(ms: number): { days: number; hours: number; minutes: number } {
  const totalMinutes = Math.max(0, Math.floor(ms / 60_000));
  return { days: Math.floor(totalMinutes / 1440), hours: Math.floor((totalMinutes % 1440) / 60), minutes: totalMinutes % 60 };
}

type DurationKey = 'duration.daysHours' | 'duration.hours' | 'duration.minutes';

export function formatDuration(ms: number, t: (key: DurationKey, params: Record<string, number>) => string): string {
  const { days, hours, minutes } = splitDuration(ms);
  if (days > 0) return t('duration.daysHours', { days, hours });
  if (hours > 0) return t('duration.hours', { hours });
  return t('duration.minutes', { minutes });
}
