import { useQuery } from '@tanstack/react-query';
import { Select } from 'antd';
import { type CSSProperties, useMemo, useState } from 'react';
import type { User } from '../../../server/modules/org/contract.ts';
import { useDebouncedValue } from '../../components/use-debounced-value.ts';
import { useLocale } from '../../i18n/use-locale.ts';
import { personName } from './display-names.ts';
import { orgApi, orgKeys } from './org-api.ts';
import { useUser } from './org-queries.ts';

/** Pick a person by searching name or email (people visible to the signed-in user). */
export function UserPicker(props: {
  value?: string | null;
  onChange?: (value: string | null) => void;
  placeholder?: string;
  excludeId?: string;
  style?: CSSProperties;
  testId?: string;
}) {
  const locale = useLocale();
  const [search, setSearch] = useState('');
  const q = useDebouncedValue(search.trim());
  const results = useQuery({
    queryKey: [...orgKeys.users({ q: q || undefined }), 'picker'],
    queryFn: ({ signal }) => orgApi.listUsers({ q: q || undefined, limit: 20 }, signal),
    staleTime: 30_000,
  });
  const selected = useUser(props.value ?? undefined);
  const options = useMemo(() => {
    const people = new Map<string, User>();
    if (selected.data) people.set(selected.data.id, selected.data);
    for (const u of results.data?.items ?? []) people.set(u.id, u);
    return [...people.values()]
      .filter((u) => u.id !== props.excludeId)
      .map((u) => ({ value: u.id, label: `${personName(u, locale)} · ${u.email}` }));
  }, [results.data, selected.data, props.excludeId, locale]);

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
      popupMatchSelectWidth={false}
    />
  );
}
