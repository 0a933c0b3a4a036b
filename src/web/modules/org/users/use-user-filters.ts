import { useCallback, useMemo } from 'react';
import { useSearchParams } from 'react-router-dom';
import { USER_SORTS } from '../../../../server/modules/org/contract.ts';
import { ROLES, type Role } from '../../../../shared/roles.ts';
import type { UserFilters } from '../org-api.ts';

type Sort = NonNullable<UserFilters['sort']>;

/** The people list's filters live in the URL (?unitId=&includeSubunits=&role=&active=&q=&sort=), so links can carry them. */
export function useUserFilters(): [UserFilters, (patch: Partial<UserFilters>) => void] {
  const [params, setParams] = useSearchParams();
  const filters = useMemo<UserFilters>(() => {
    const role = params.get('role');
    const active = params.get('active');
    const sort = params.get('sort');
    return {
      unitId: params.get('unitId') ?? undefined,
      includeSubunits: params.get('includeSubunits') === 'true' ? true : undefined,
      role: role && (ROLES as readonly string[]).includes(role) ? (role as Role) : undefined,
      active: active === 'true' ? true : active === 'false' ? false : undefined,
      q: params.get('q') ?? undefined,
      sort: sort && (USER_SORTS as readonly string[]).includes(sort) ? (sort as Sort) : undefined,
    };
  }, [params]);

  const update = useCallback(
    (patch: Partial<UserFilters>) => {
      setParams(
        (prev) => {
          const next = new URLSearchParams(prev);
          for (const [key, value] of Object.entries(patch)) {
            if (value === undefined || value === null || value === '' || (value === false && key === 'includeSubunits')) next.delete(key);
            else next.set(key, String(value));
          }
          return next;
        },
        { replace: true },
      );
    },
    [setParams],
  );
  return [filters, update];
}
