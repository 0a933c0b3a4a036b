import { useQuery } from '@tanstack/react-query';
import { Select } from 'antd';
import { type CSSProperties, useMemo, useState } from 'react';
import { useDebouncedValue } from '../../../components/use-debounced-value.ts';
import { accountKeys, accountsApi } from './accounts-api.ts';
import { useAccount } from './accounts-queries.ts';

/** Pick an account by searching its name (accounts visible to the signed-in user). */
export function AccountPicker(props: {
  value?: string | null;
  onChange?: (value: string | null) => void;
  placeholder?: string;
  excludeId?: string | undefined;
  style?: CSSProperties;
  testId?: string;
}) {
  const [search, setSearch] = useState('');
  const q = useDebouncedValue(search.trim());
  const results = useQuery({
    queryKey: [...accountKeys.list({ q: q || undefined }), 'picker'],
    queryFn: ({ signal }) => accountsApi.list({ q: q || undefined, limit: 20 }, signal),
    staleTime: 30_000,
  });
  const selected = useAccount(props.value ?? undefined);
  const options = useMemo(() => {
    const found = new Map<string, string>();
    if (selected.data) found.set(selected.data.id, selected.data.nameZh);
    for (const a of results.data?.items ?? []) found.set(a.id, a.nameZh);
    return [...found].filter(([id]) => id !== props.excludeId).map(([value, label]) => ({ value, label }));
  }, [results.data, selected.data, props.excludeId]);

  return (
    <Select
      value={props.value ?? undefined}
      onChange={(v: string | undefined) => props.onChange?.(v ?? null)}
      options={options}
      showSearch={{ filterOption: false, onSearch: setSearch }}
      allowClear
      loading={results.isFetching}
      placeholder={props.placeholder}
      style={props.style}
      data-testid={props.testId}
    />
  );
}
