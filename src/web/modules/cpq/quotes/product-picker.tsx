import { useQuery } from '@tanstack/react-query';
import { Select } from 'antd';
import { useMemo, useState } from 'react';
import type { Product } from '../../../../server/modules/catalog/contract.ts';
import { useDebouncedValue } from '../../../components/use-debounced-value.ts';
import { useLocale } from '../../../i18n/use-locale.ts';
import { productLabel } from './quote-format.ts';
import { quoteKeys, quotesApi } from './quotes-api.ts';

/** Pick an active product by SKU or name (searched on the server); the chosen one stays in the options. */
export function ProductPicker({
  value,
  onChange,
  products,
  placeholder,
  testId,
  width = 280,
}: {
  value?: string | null;
  onChange?: (value: string | null) => void;
  products: ReadonlyMap<string, Product>;
  placeholder?: string;
  testId?: string;
  width?: number;
}) {
  const locale = useLocale();
  const [search, setSearch] = useState('');
  const q = useDebouncedValue(search.trim());
  const results = useQuery({ queryKey: quoteKeys.products(q), queryFn: ({ signal }) => quotesApi.products(q || undefined, signal), staleTime: 60_000 });
  const options = useMemo(() => {
    const found = new Map<string, Product>();
    const selected = value ? products.get(value) : undefined;
    if (selected) found.set(selected.id, selected);
    for (const p of results.data?.items ?? []) found.set(p.id, p);
    return [...found.values()].map((p) => ({ value: p.id, label: productLabel(p, locale), sku: p.sku }));
  }, [results.data, products, value, locale]);
  return (
    <Select
      value={value ?? undefined}
      onChange={(v: string | undefined) => onChange?.(v ?? null)}
      options={options}
      showSearch={{ filterOption: false, onSearch: setSearch }}
      loading={results.isFetching}
      placeholder={placeholder}
      style={{ width }}
      popupMatchSelectWidth={false}
      optionRender={(o) => <span data-testid="product-option" data-sku={(o.data as { sku: string }).sku}>{o.label}</span>}
      data-testid={testId}
    />
  );
}
