import { Checkbox, Input, Select, Space } from 'antd';
import { useTranslation } from 'react-i18next';
import { ROLES, type Role } from '../../../../shared/roles.ts';
import type { UserFilters } from '../org-api.ts';
import { UnitTreeSelect } from '../unit-tree-select.tsx';

/** Filters of the people list: unit (with sub-units), role, status, search. */
export function UserFilterBar({ filters, onChange }: { filters: UserFilters; onChange: (patch: Partial<UserFilters>) => void }) {
  const { t } = useTranslation(['org', 'common']);

  return (
    <Space wrap size={[12, 12]} style={{ marginBottom: 16 }} data-testid="users-filters">
      <UnitTreeSelect
        value={filters.unitId ?? null}
        onChange={(unitId) => onChange({ unitId: unitId ?? undefined })}
        placeholder={t('users.filterUnit')}
        style={{ width: 240 }}
        testId="users-filter-unit"
      />
      <Checkbox
        checked={!!filters.includeSubunits}
        disabled={!filters.unitId}
        onChange={(e) => onChange({ includeSubunits: e.target.checked || undefined })}
        data-testid="users-filter-subunits"
      >
        {t('users.includeSubunits')}
      </Checkbox>
      <Select
        value={filters.role ?? ''}
        onChange={(role: Role | '') => onChange({ role: role || undefined })}
        style={{ width: 160 }}
        options={[{ value: '', label: `${t('users.filterRole')}: ${t('users.all')}` }, ...ROLES.map((r) => ({ value: r, label: t(`common:roles.${r}`) }))]}
        data-testid="users-filter-role"
      />
      <Select
        value={filters.active === undefined ? '' : String(filters.active)}
        onChange={(v) => onChange({ active: v === '' ? undefined : v === 'true' })}
        style={{ width: 150 }}
        options={[
          { value: '', label: `${t('users.filterActive')}: ${t('users.all')}` },
          { value: 'true', label: t('common:status.active') },
          { value: 'false', label: t('common:status.inactive') },
        ]}
        data-testid="users-filter-active"
      />
      <Input.Search
        key={filters.q ?? ''}
        defaultValue={filters.q ?? ''}
        onSearch={(q) => onChange({ q: q.trim() || undefined })}
        placeholder={t('users.searchPlaceholder')}
        allowClear
        style={{ width: 260 }}
        data-testid="users-filter-search"
      />
    </Space>
  );
}
