import { Table, Tag, Typography, type TableProps } from 'antd';
import type { HTMLAttributes } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import type { AuditEntry } from '../../../../server/platform/contract.ts';
import { formatDateTime } from '../../../i18n/date-format.ts';
import { useLocale } from '../../../i18n/use-locale.ts';
import { useSession } from '../../org/auth/use-session.ts';
import { personName, unitName } from '../../org/display-names.ts';
import { useUnitForest, useUser } from '../../org/org-queries.ts';
import { actionLabel, entityTypeLabel } from './audit-labels.ts';
import { AuditChanges } from './audit-changes.tsx';

const ACTION_COLORS: Record<string, string> = { create: 'green', update: 'blue', login: 'default', revoke: 'red' };

function EntityName({ entry }: { entry: AuditEntry }) {
  const locale = useLocale();
  const isUser = entry.entityType === 'user';
  const user = useUser(isUser ? entry.entityId : undefined);
  const { forest } = useUnitForest();
  const short = `${entry.entityId.slice(0, 8)}…`;
  if (isUser) return <Link to={`/users/${entry.entityId}`}>{user.data ? personName(user.data, locale) : short}</Link>;
  if (entry.entityType === 'org_unit') {
    const node = forest?.byId.get(entry.entityId);
    return <span title={entry.entityId}>{node ? unitName(node.unit, locale) : short}</span>;
  }
  return <span title={entry.entityId}>{short}</span>;
}

/** Audit entries: when, who, what was done to which record, and the fields before → after. */
export function AuditTable({ entries, loading, showEntity = true }: { entries: AuditEntry[]; loading: boolean; showEntity?: boolean }) {
  const { t } = useTranslation('admin');
  const locale = useLocale();
  const { user } = useSession();

  const columns: TableProps<AuditEntry>['columns'] = [
    {
      key: 'at',
      title: t('audit.at'),
      width: 180,
      render: (_, e) => <span style={{ whiteSpace: 'nowrap' }}>{formatDateTime(e.at, locale, user.timeZone)}</span>,
    },
    {
      key: 'actor',
      title: t('audit.actor'),
      width: 120,
      render: (_, e) =>
        e.actorId ? (
          <Link to={`/users/${e.actorId}`} data-testid="audit-actor">
            {e.actorName ? personName({ nameZh: e.actorName, nameEn: e.actorNameEn }, locale) : `${e.actorId.slice(0, 8)}…`}
          </Link>
        ) : (
          <Typography.Text type="secondary">{t('audit.system')}</Typography.Text>
        ),
    },
    {
      key: 'action',
      title: t('audit.action'),
      width: 130,
      render: (_, e) => (
        <Tag color={ACTION_COLORS[e.action] ?? 'default'} data-testid="audit-action">
          {actionLabel(e.action)}
        </Tag>
      ),
    },
    ...(showEntity
      ? [
          {
            key: 'entity',
            title: t('audit.entity'),
            width: 200,
            render: (_: unknown, e: AuditEntry) => (
              <span data-testid="audit-entity">
                <Typography.Text type="secondary">{entityTypeLabel(e.entityType)}</Typography.Text> · <EntityName entry={e} />
              </span>
            ),
          },
        ]
      : []),
    { key: 'changes', title: t('audit.changes'), render: (_, e) => <AuditChanges changes={e.changes} /> },
  ];

  return (
    <Table<AuditEntry>
      rowKey="id"
      columns={columns}
      dataSource={entries}
      loading={loading}
      pagination={false}
      size="middle"
      scroll={{ x: 800 }}
      data-testid="audit-table"
      onRow={(e) => ({ 'data-testid': 'audit-row', 'data-entity-id': e.entityId, 'data-action': e.action }) as HTMLAttributes<HTMLElement>}
    />
  );
}
