import { useQuery } from '@tanstack/react-query';
import { useCallback } from 'react';
import type { User } from '../../../server/modules/org/contract.ts';
import { type PickerProps, SearchSelect } from '../../components/search-select.tsx';
import { useLocale } from '../../i18n/use-locale.ts';
import { personName } from './display-names.ts';
import { orgApi, orgKeys } from './org-api.ts';
import { useUser } from './org-queries.ts';

function useUserSearch(q: string) {
  const results = useQuery({
    queryKey: [...orgKeys.users({ q: q || undefined }), 'picker'],
    queryFn: ({ signal }) => orgApi.listUsers({ q: q || undefined, limit: 20 }, signal),
    staleTime: 30_000,
  });
  return { items: results.data?.items, fetching: results.isFetching };
}

const useSelectedUser = (id: string | undefined) => useUser(id).data;

/** Pick a person by searching name or email (people visible to the signed-in user). */
export function UserPicker(props: PickerProps) {
  const locale = useLocale();
  const label = useCallback((u: User) => `${personName(u, locale)} · ${u.email}`, [locale]);
  return <SearchSelect {...props} useResults={useUserSearch} useSelected={useSelectedUser} label={label} popupMatchSelectWidth={false} />;
}
