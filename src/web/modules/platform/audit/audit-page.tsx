import { Button, Card, Input, Select, Space } from 'antd';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router-dom';
import { ApiProblem } from '../../../http/api-problem.ts';
import { LoadMore } from '../../../components/load-more.tsx';
import { PageHeader } from '../../../components/page-header.tsx';
import { ProblemAlert } from '../../../components/problem-alert.tsx';
import { UserPicker } from '../../org/user-picker.tsx';
import type { AuditFilters } from '../platform-api.ts';
import { KNOWN_ENTITY_TYPES, entityTypeLabel } from './audit-labels.ts';
import { useAuditLog } from './audit-queries.ts';
import { AuditTable } from './audit-table.tsx';

/** The audit log (admins): every change, newest first, filtered by record type, record and actor. */
export function AuditPage() {
  const { t } = useTranslation(['admin', 'common']);
  const [params, setParams] = useSearchParams();
  const filters = useMemo<AuditFilters>(
    () => ({
      entityType: params.get('entityType') ?? undefined,
      entityId: params.get('entityId') ?? undefined,
      actorId: params.get('actorId') ?? undefined,
    }),
    [params],
  );
  const log = useAuditLog(filters);
  const entries = log.data?.pages.flatMap((p) => p.items) ?? [];

  const update = (patch: Partial<AuditFilters>) =>
    setParams(
      (prev) => {
        const next = new URLSearchParams(prev);
        for (const [k, v] of Object.entries(patch)) {
          if (v) next.set(k, v);
          else next.delete(k);
        }
        return next;
      },
      { replace: true },
    );

  return (
    <div data-testid="audit-page">
      <PageHeader title={t('audit.title')} subtitle={t('audit.subtitle')} />
      <Card>
        <Space wrap size={[12, 12]} style={{ marginBottom: 16 }}>
          <Select
            value={filters.entityType}
            onChange={(v: string | undefined) => update({ entityType: v })}
            allowClear
            placeholder={t('audit.filterEntityType')}
            style={{ width: 180 }}
            options={KNOWN_ENTITY_TYPES.map((type) => ({ value: type, label: entityTypeLabel(type) }))}
            data-testid="audit-filter-entity-type"
          />
          <Input.Search
            key={filters.entityId ?? ''}
            defaultValue={filters.entityId ?? ''}
            onSearch={(v) => update({ entityId: v.trim() || undefined })}
            placeholder={t('audit.filterEntityId')}
            allowClear
            style={{ width: 340 }}
            data-testid="audit-filter-entity-id"
          />
          <UserPicker
            value={filters.actorId ?? null}
            onChange={(v) => update({ actorId: v ?? undefined })}
            placeholder={t('audit.actorPlaceholder')}
            style={{ width: 240 }}
            testId="audit-filter-actor"
          />
          <Button onClick={() => setParams(new URLSearchParams(), { replace: true })}>{t('common:actions.reset')}</Button>
        </Space>
        {log.error instanceof ApiProblem && <ProblemAlert problem={log.error} />}
        <AuditTable entries={entries} loading={log.isPending && !log.error} />
        <LoadMore loaded={entries.length} hasMore={!!log.hasNextPage} loading={log.isFetchingNextPage} onLoadMore={() => void log.fetchNextPage()} testId="audit-load-more" />
      </Card>
    </div>
  );
}
