import { EditOutlined } from '@ant-design/icons';
import { Button, Table, Tag, Tooltip, type TableProps } from 'antd';
import type { SortOrder } from 'antd/es/table/interface';
import type { HTMLAttributes } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import type { User } from '../../../../server/modules/org/contract.ts';
import { useLocale } from '../../../i18n/use-locale.ts';
import { personName, unitName } from '../display-names.ts';
import { type UnitForest, unitPath } from '../org-tree.ts';
import type { UserFilters } from '../org-api.ts';
import { ActiveBadge, RoleTags } from '../role-tags.tsx';

type Sort = NonNullable<UserFilters['sort']>;

function sortOrder(sort: Sort | undefined, field: 'name' | 'email' | 'createdAt'): SortOrder {
  const s = sort ?? 'name';
  if (s === field) return 'ascend';
  if (s === `-${field}`) return 'descend';
  return null;
}

export function UsersTable(props: {
  users: User[];
  loading: boolean;
  forest: UnitForest | undefined;
  sort: Sort | undefined;
  onSort: (sort: Sort | undefined) => void;
  onEdit?: ((user: User) => void) | undefined;
}) {
  const { t } = useTranslation(['org', 'common']);
  const locale = useLocale();
  const { forest } = props;

  const columns: TableProps<User>['columns'] = [
    {
      key: 'name',
      title: t('fields.name'),
      sorter: true,
      sortOrder: sortOrder(props.sort, 'name'),
      render: (_, u) => {
        const heads = forest && u.unitId && forest.byId.get(u.unitId)?.unit.headUserId === u.id;
        return (
          <span style={{ display: 'inline-flex', gap: 6, alignItems: 'center' }}>
            <Link to={`/users/${u.id}`} data-testid="user-name">
              {personName(u, locale)}
            </Link>
            {heads && <Tag color="blue">{t('users.head')}</Tag>}
          </span>
        );
      },
    },
    {
      key: 'email',
      title: t('fields.email'),
      sorter: true,
      sortOrder: sortOrder(props.sort, 'email'),
      render: (_, u) => <span data-testid="user-email">{u.email}</span>,
    },
    { key: 'title', title: t('fields.title'), dataIndex: 'title', render: (v: string | null) => v ?? '—' },
    {
      key: 'unit',
      title: t('fields.unit'),
      render: (_, u) => {
        if (!forest || !u.unitId) return '—';
        const path = unitPath(forest, u.unitId);
        const own = path.at(-1);
        if (!own) return '—';
        return (
          <Tooltip title={path.map((p) => unitName(p, locale)).join(' / ')}>
            <span>{unitName(own, locale)}</span>
          </Tooltip>
        );
      },
    },
    { key: 'roles', title: t('fields.roles'), render: (_, u) => <RoleTags roles={u.roles} /> },
    { key: 'active', title: t('fields.active'), width: 100, render: (_, u) => <ActiveBadge active={u.active} /> },
  ];
  if (props.onEdit) {
    const onEdit = props.onEdit;
    columns.push({
      key: 'actions',
      width: 90,
      render: (_, u) => (
        <Button type="link" size="small" icon={<EditOutlined />} onClick={() => onEdit(u)} data-testid="user-edit">
          {t('common:actions.edit')}
        </Button>
      ),
    });
  }

  return (
    <Table<User>
      rowKey="id"
      columns={columns}
      dataSource={props.users}
      loading={props.loading}
      pagination={false}
      size="middle"
      scroll={{ x: 900 }}
      data-testid="users-table"
      onRow={(u) => ({ 'data-testid': 'user-row', 'data-email': u.email }) as HTMLAttributes<HTMLElement>}
      onChange={(_pagination, _filters, sorter) => {
        const s = Array.isArray(sorter) ? sorter[0] : sorter;
        const key = s?.columnKey;
        if (!s?.order || (key !== 'name' && key !== 'email')) return props.onSort(undefined);
        props.onSort((s.order === 'descend' ? `-${key}` : key) as Sort);
      }}
    />
  );
}
