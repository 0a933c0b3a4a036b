import { Select } from 'antd';
import { type CSSProperties, useMemo, useState } from 'react';
import { useDebouncedValue } from './use-debounced-value.ts';

/** What every record picker takes: a controlled id, like an antd form control. */
export interface PickerProps {
  value?: string | null;
  onChange?: (value: string | null) => void;
  placeholder?: string;
  excludeId?: string | undefined;
  style?: CSSProperties;
  testId?: string;
}

/**
 * Pick one record by searching on the server: the query is debounced, the selected record stays in
 * the options while the search shows others, `excludeId` is left out (a record can't be its own
 * parent). `useResults` and `useSelected` are hooks, passed as module-level functions.
 */
export function SearchSelect<T extends { id: string }>({
  useResults,
  useSelected,
  label,
  popupMatchSelectWidth,
  ...props
}: PickerProps & {
  useResults: (q: string) => { items: readonly T[] | undefined; fetching: boolean };
  useSelected: (id: string | undefined) => T | undefined;
  label: (item: T) => string;
  popupMatchSelectWidth?: boolean;
}) {
  const [search, setSearch] = useState('');
  const q = useDebouncedValue(search.trim());
  const results = useResults(q);
  const selected = useSelected(props.value ?? undefined);
  const options = useMemo(() => {
    const found = new Map<string, T>();
    if (selected) found.set(selected.id, selected);
    for (const item of results.items ?? []) found.set(item.id, item);
    return [...found.values()].filter((item) => item.id !== props.excludeId).map((item) => ({ value: item.id, label: label(item) }));
  }, [results.items, selected, props.excludeId, label]);

  return (
    <Select
      value={props.value ?? undefined}
      onChange={(v: string | undefined) => props.onChange?.(v ?? null)}
      options={options}
      showSearch={{ filterOption: false, onSearch: setSearch }}
      allowClear
      loading={results.fetching}
      placeholder={props.placeholder}
      style={props.style}
      data-testid={props.testId}
      {...(popupMatchSelectWidth === undefined ? {} : { popupMatchSelectWidth })}
    />
  );
}
