import { DatePicker, Input, Select } from 'antd';
import dayjs from 'dayjs';
import { useTranslation } from 'react-i18next';
import { OPPORTUNITY_SORTS, type Pipeline } from '../../../../server/modules/crm/opportunity-contract.ts';
import { useLocale } from '../../../i18n/use-locale.ts';
import { UnitTreeSelect } from '../../org/unit-tree-select.tsx';
import { UserPicker } from '../../org/user-picker.tsx';
import type { OpportunityFilters } from './pipeline-api.ts';
import { stageLabel } from './pipeline-queries.ts';

/** The filters the kanban, the table and the export share. */
export function DealFilters({
  pipeline,
  filters,
  onChange,
  showSort,
}: {
  pipeline: Pipeline;
  filters: OpportunityFilters;
  onChange: (next: OpportunityFilters) => void;
  showSort: boolean;
}) {
  const { t } = useTranslation('pipeline');
  const locale = useLocale();
  const set = (patch: Partial<OpportunityFilters>) => onChange({ ...filters, ...patch });
  return (
    <div style={{ display: 'flex', gap: 8, flexWrap: 'wrap', marginBottom: 12 }} data-testid="deal-filters">
      <Input.Search
        allowClear
        placeholder={t('filters.search')}
        defaultValue={filters.q}
        onSearch={(v) => set({ q: v.trim() || undefined })}
        style={{ width: 220 }}
        data-testid="deal-filter-search"
      />
      <UserPicker value={filters.ownerId ?? null} onChange={(v) => set({ ownerId: v ?? undefined })} placeholder={t('filters.owner')} style={{ width: 220 }} testId="deal-filter-owner" />
      <UnitTreeSelect
        value={filters.unitId ?? null}
        onChange={(v) => set({ unitId: v ?? undefined, includeSubunits: v ? true : undefined })}
        placeholder={t('filters.unit')}
        style={{ width: 220 }}
        testId="deal-filter-unit"
      />
      <Select
        mode="multiple"
        allowClear
        value={filters.stages ?? []}
        onChange={(v: string[]) => set({ stages: v.length ? v : undefined })}
        options={pipeline.definition.stages.map((s) => ({ value: s.key, label: stageLabel(s, s.key, locale) }))}
        placeholder={t('filters.stages')}
        style={{ minWidth: 220 }}
        maxTagCount="responsive"
        data-testid="deal-filter-stages"
      />
      <DatePicker.RangePicker
        value={[filters.closeFrom ? dayjs(filters.closeFrom) : null, filters.closeTo ? dayjs(filters.closeTo) : null]}
        onChange={(range) =>
          set({ closeFrom: range?.[0]?.format('YYYY-MM-DD') ?? undefined, closeTo: range?.[1]?.format('YYYY-MM-DD') ?? undefined })
        }
        allowEmpty={[true, true]}
        placeholder={[t('filters.closeFrom'), t('filters.closeTo')]}
        data-testid="deal-filter-close"
      />
      {showSort && (
        <Select
          value={filters.sort ?? '-amount'}
          onChange={(v) => set({ sort: v })}
          options={OPPORTUNITY_SORTS.map((s) => ({ value: s, label: t(`sorts.${s}`) }))}
          style={{ width: 180 }}
          data-testid="deal-filter-sort"
        />
      )}
    </div>
  );
}
