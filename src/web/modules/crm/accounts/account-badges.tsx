import { Rate, Tag, Tooltip, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import type { Account } from '../../../../server/modules/crm/account-contract.ts';
import type { ContactLevel } from './contact-levels.ts';

/** Small, shared pieces of the account pages: status and level tags, strength, days since last touch. */
const STATUS_COLORS: Record<Account['status'], string> = { prospect: 'blue', customer: 'green', former: 'default' };
const TIER_COLORS: Record<Account['tier'], string> = { strategic: 'magenta', key: 'gold', standard: 'default', small: 'default' };
export const LEVEL_COLORS: Record<ContactLevel, string> = { decision: 'red', management: 'orange', execution: 'cyan' };

export function AccountStatusTag({ status }: { status: Account['status'] }) {
  const { t } = useTranslation('crm');
  return <Tag color={STATUS_COLORS[status]}>{t(`enums.status.${status}`)}</Tag>;
}

export function AccountTierTag({ tier }: { tier: Account['tier'] }) {
  const { t } = useTranslation('crm');
  return <Tag color={TIER_COLORS[tier]}>{t(`enums.tier.${tier}`)}</Tag>;
}

export function LevelTag({ level }: { level: ContactLevel }) {
  const { t } = useTranslation('crm');
  return (
    <Tag color={LEVEL_COLORS[level]} data-testid="level-tag">
      {t(`enums.level.${level}`)}
    </Tag>
  );
}

export function Strength({ value }: { value: number }) {
  const { t } = useTranslation('crm');
  return (
    <Tooltip title={`${t('fields.strength')}: ${value}/5`}>
      <span data-testid="coverage-strength" data-strength={value}>
        <Rate disabled count={5} value={value} style={{ fontSize: 11 }} />
      </span>
    </Tooltip>
  );
}

/** "12 days ago" / "today" / "never touched", muted unless it is older than `staleDays`. */
export function TouchAge({ days, staleDays = 90 }: { days: number | null; staleDays?: number }) {
  const { t } = useTranslation('crm');
  const text = days === null ? t('map.never') : days === 0 ? t('map.today') : t('map.days', { count: days });
  return (
    <Typography.Text type={days === null || days >= staleDays ? 'warning' : 'secondary'} style={{ fontSize: 12 }} data-testid="touch-age">
      {text}
    </Typography.Text>
  );
}
