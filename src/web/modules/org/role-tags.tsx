import { Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import type { Role } from '../../../shared/roles.ts';

const ROLE_COLORS: Record<Role, string> = {
  admin: 'red',
  executive: 'gold',
  sales_rep: 'blue',
  sales_manager: 'geekblue',
  deal_desk: 'purple',
  finance: 'cyan',
  project_manager: 'green',
  resource_manager: 'lime',
  engineer: 'orange',
  service_agent: 'magenta',
};

export function RoleTags({ roles }: { roles: readonly Role[] }) {
  const { t } = useTranslation();
  return (
    <span style={{ display: 'inline-flex', flexWrap: 'wrap', gap: 4 }}>
      {roles.map((r) => (
        <Tag key={r} color={ROLE_COLORS[r]} style={{ marginInlineEnd: 0 }}>
          {t(`roles.${r}`)}
        </Tag>
      ))}
    </span>
  );
}

export function ActiveBadge({ active }: { active: boolean }) {
  const { t } = useTranslation();
  return <Tag color={active ? 'success' : 'default'}>{active ? t('status.active') : t('status.inactive')}</Tag>;
}
