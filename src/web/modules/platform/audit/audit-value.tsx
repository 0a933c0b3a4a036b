import { Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { ROLES, type Role } from '../../../../shared/roles.ts';
import { useLocale } from '../../../i18n/use-locale.ts';
import { personName, unitName } from '../../org/display-names.ts';
import { useUnitForest, useUser } from '../../org/org-queries.ts';

const UNIT_FIELDS = new Set(['unitId', 'parentId']);
const USER_FIELDS = new Set(['managerId', 'headUserId', 'userId']);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function UserName({ id }: { id: string }) {
  const locale = useLocale();
  const user = useUser(id);
  return <span title={id}>{user.data ? personName(user.data, locale) : `${id.slice(0, 8)}…`}</span>;
}

function UnitName({ id }: { id: string }) {
  const locale = useLocale();
  const { forest } = useUnitForest();
  const node = forest?.byId.get(id);
  return <span title={id}>{node ? unitName(node.unit, locale) : `${id.slice(0, 8)}…`}</span>;
}

/** One recorded value of an audit change, readable: names for ids, labels for roles and flags. */
export function AuditValue({ field, value }: { field: string; value: unknown }) {
  const { t } = useTranslation();
  if (value === null || value === undefined || value === '') return <Typography.Text type="secondary">{t('values.empty')}</Typography.Text>;
  if (value === '[redacted]') return <Typography.Text type="secondary">{t('values.redacted')}</Typography.Text>;
  if (typeof value === 'string' && UUID.test(value)) {
    if (UNIT_FIELDS.has(field)) return <UnitName id={value} />;
    if (USER_FIELDS.has(field)) return <UserName id={value} />;
  }
  if (typeof value === 'boolean') {
    if (field === 'active') return <>{value ? t('status.active') : t('status.inactive')}</>;
    return <>{value ? t('values.yes') : t('values.no')}</>;
  }
  if (field === 'roles' && Array.isArray(value)) {
    return <>{value.map((r) => ((ROLES as readonly unknown[]).includes(r) ? t(`roles.${r as Role}`) : String(r))).join('、')}</>;
  }
  if (field === 'locale' && (value === 'zh-CN' || value === 'en')) return <>{t(`language.${value}`)}</>;
  if (typeof value === 'string' || typeof value === 'number') return <>{String(value)}</>;
  return <code style={{ fontSize: 12 }}>{JSON.stringify(value)}</code>;
}
