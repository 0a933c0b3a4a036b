import { Select, TreeSelect } from 'antd';
import { type CSSProperties, useMemo } from 'react';
import { useLocale } from '../../../i18n/use-locale.ts';
import { useAllProducts, useProductGroups } from './catalog-queries.ts';
import { buildGroupTree } from './group-tree.ts';

interface PickerProps {
  value?: string | null;
  onChange?: (value: string | null) => void;
  placeholder?: string;
  style?: CSSProperties;
  testId?: string;
  allowClear?: boolean;
  excludeId?: string | undefined;
  disabled?: boolean | undefined;
}

/** Pick a product by SKU or name (the whole catalog is loaded once; it is small). */
export function ProductPicker({ value, onChange, placeholder, style, testId, allowClear = true, excludeId, disabled }: PickerProps) {
  const locale = useLocale();
  const products = useAllProducts();
  const options = useMemo(
    () =>
      (products.data ?? [])
        .filter((p) => p.id !== excludeId)
        .map((p) => ({ value: p.id, label: `${p.sku} · ${locale === 'en' && p.nameEn ? p.nameEn : p.nameZh}`, disabled: !p.isActive && p.id !== value })),
    [products.data, locale, excludeId, value],
  );
  return (
    <Select
      value={value ?? undefined}
      onChange={(v: string | undefined) => onChange?.(v ?? null)}
      options={options}
      showSearch={{ optionFilterProp: 'label' }}
      allowClear={allowClear}
      loading={products.isPending}
      placeholder={placeholder}
      style={style}
      disabled={disabled}
      popupMatchSelectWidth={false}
      data-testid={testId}
    />
  );
}

/** Pick a product group from the tree. */
export function ProductGroupSelect({ value, onChange, placeholder, style, testId, allowClear = true }: PickerProps) {
  const locale = useLocale();
  const groups = useProductGroups();
  const treeData = useMemo(() => buildGroupTree(groups.data?.items ?? [], locale), [groups.data, locale]);
  return (
    <TreeSelect
      value={value ?? undefined}
      onChange={(v: string | undefined) => onChange?.(v ?? null)}
      treeData={treeData}
      treeDefaultExpandAll
      showSearch={{ treeNodeFilterProp: 'title' }}
      allowClear={allowClear}
      placeholder={placeholder}
      style={style}
      loading={groups.isPending}
      data-testid={testId}
    />
  );
}
