import { Card } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { ApiProblem } from '../../../http/api-problem.ts';
import { LoadMore } from '../../../components/load-more.tsx';
import { ProblemAlert } from '../../../components/problem-alert.tsx';
import { useSession } from '../../org/auth/use-session.ts';
import { useEntityHistory } from './audit-queries.ts';
import { AuditTable } from './audit-table.tsx';

/** A record's change history (for anyone who may read the record). */
export function EntityHistoryCard({ entityType, entityId, title }: { entityType: string; entityId: string; title: string }) {
  const { t } = useTranslation('org');
  const session = useSession();
  const history = useEntityHistory(entityType, entityId);
  const entries = history.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <Card
      title={title}
      data-testid="entity-history"
      extra={
        session.can('audit.read_all') && (
          <Link to={`/admin/audit?entityType=${encodeURIComponent(entityType)}&entityId=${encodeURIComponent(entityId)}`}>{t('detail.viewInAudit')}</Link>
        )
      }
    >
      {history.error instanceof ApiProblem && <ProblemAlert problem={history.error} />}
      <AuditTable entries={entries} loading={history.isPending} showEntity={false} />
      <LoadMore loaded={entries.length} hasMore={!!history.hasNextPage} loading={history.isFetchingNextPage} onLoadMore={() => void history.fetchNextPage()} testId="history-load-more" />
    </Card>
  );
}
