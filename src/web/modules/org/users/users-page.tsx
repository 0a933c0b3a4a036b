import { PlusOutlined } from '@ant-design/icons';
import { Button, Card } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { LoadMore } from '../../../components/load-more.tsx';
import { PageHeader } from '../../../components/page-header.tsx';
import { ProblemAlert } from '../../../components/problem-alert.tsx';
import { ApiProblem } from '../../../http/api-problem.ts';
import { useSession } from '../auth/use-session.ts';
import { useUnitForest, useUsersList } from '../org-queries.ts';
import { UserFilterBar } from './user-filter-bar.tsx';
import { UserFormDrawer, type UserFormMode } from './user-form-drawer.tsx';
import { useUserFilters } from './use-user-filters.ts';
import { UsersTable } from './users-table.tsx';

/** People: the ones the signed-in user may see (by scope), filtered; admins create and edit here. */
export function UsersPage() {
  const { t } = useTranslation('org');
  const session = useSession();
  const [filters, setFilters] = useUserFilters();
  const list = useUsersList(filters);
  const { forest } = useUnitForest();
  const [form, setForm] = useState<UserFormMode | null>(null);
  const canWrite = session.can('users.write');
  const scope = session.scopeOf('users.read');
  const users = list.data?.pages.flatMap((p) => p.items) ?? [];

  return (
    <div data-testid="users-page">
      <PageHeader
        title={t('users.title')}
        subtitle={scope ? t('users.subtitle', { scope: t(`users.scopes.${scope}`) }) : undefined}
        extra={
          canWrite && (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setForm({ kind: 'create' })} data-testid="user-create">
              {t('users.create')}
            </Button>
          )
        }
      />
      <Card>
        <UserFilterBar filters={filters} onChange={setFilters} />
        {list.error instanceof ApiProblem && <ProblemAlert problem={list.error} />}
        <UsersTable
          users={users}
          loading={list.isPending}
          forest={forest}
          sort={filters.sort}
          onSort={(sort) => setFilters({ sort })}
          onEdit={canWrite ? (u) => setForm({ kind: 'edit', userId: u.id }) : undefined}
        />
        <LoadMore
          loaded={users.length}
          hasMore={!!list.hasNextPage}
          loading={list.isFetchingNextPage}
          onLoadMore={() => void list.fetchNextPage()}
          testId="users-load-more"
        />
      </Card>
      {form && <UserFormDrawer mode={form} onClose={() => setForm(null)} />}
    </div>
  );
}
