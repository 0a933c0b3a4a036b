import { useQuery } from '@tanstack/react-query';
import type { Account } from '../../../../server/modules/crm/account-contract.ts';
import { type PickerProps, SearchSelect } from '../../../components/search-select.tsx';
import { accountKeys, accountsApi } from './accounts-api.ts';
import { useAccount } from './accounts-queries.ts';

function useAccountSearch(q: string) {
  const results = useQuery({
    queryKey: [...accountKeys.list({ q: q || undefined }), 'picker'],
    queryFn: ({ signal }) => accountsApi.list({ q: q || undefined, limit: 20 }, signal),
    staleTime: 30_000,
  });
  return { items: results.data?.items, fetching: results.isFetching };
}

const useSelectedAccount = (id: string | undefined) => useAccount(id).data;
const accountLabel = (a: Account) => a.nameZh;

/** Pick an account by searching its name (accounts visible to the signed-in user). */
export function AccountPicker(props: PickerProps) {
  return <SearchSelect {...props} useResults={useAccountSearch} useSelected={useSelectedAccount} label={accountLabel} />;
}
