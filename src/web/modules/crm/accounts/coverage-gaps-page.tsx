import { Card, Checkbox, Empty, InputNumber, Skeleton, Space, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router-dom';
import { LoadMore } from '../../../components/load-more.tsx';
import { PageHeader } from '../../../components/page-header.tsx';
import { ProblemAlert } from '../../../components/problem-alert.tsx';
import { useDebouncedValue } from '../../../components/use-debounced-value.ts';
import { ApiProblem } from '../../../http/api-problem.ts';
import { useSession } from '../../org/auth/use-session.ts';
import { UserPicker } from '../../org/user-picker.tsx';
import { useBookGaps } from './accounts-queries.ts';
import { CoverageGapList } from './coverage-gap-list.tsx';

/** The manager's book: per account, the decision-makers nobody (senior) covers or has touched lately. */
export function CoverageGapsPage() {
  const { t } = useTranslation('crm');
  const session = useSession();
  const [params, setParams] = useSearchParams();
  const staleParam = Number(params.get('staleDays'));
  const [stale, setStale] = useState(Number.isInteger(staleParam) && staleParam >= 1 && staleParam <= 3650 ? staleParam : 90);
  const staleDays = useDebouncedValue(stale, 400);
  const ownerId = params.get('ownerId') || undefined;
  const gaps = useBookGaps(staleDays, ownerId);
  const accounts = gaps.data?.pages.flatMap((p) => p.items) ?? [];
  const scanned = gaps.data?.pages.reduce((n, p) => n + p.scanned, 0) ?? 0;

  const setParam = (key: string, value: string | undefined) => {
    const next = new URLSearchParams(params);
    if (value) next.set(key, value);
    else next.delete(key);
    setParams(next, { replace: true });
  };

  return (
    <div data-testid="coverage-gaps-page">
      <PageHeader title={t('gaps.title')} subtitle={t('gaps.pageSubtitle')} />
      <Space wrap size={[16, 12]} style={{ marginBottom: 16 }}>
        <Space>
          <span>{t('gaps.staleDays')}</span>
          <InputNumber
            min={1}
            max={3650}
            value={stale}
            onChange={(v) => {
              if (!v) return;
              setStale(v);
              setParam('staleDays', v === 90 ? undefined : String(v));
            }}
            data-testid="gaps-stale-days"
          />
          <span>{t('gaps.staleDaysUnit')}</span>
        </Space>
        <Checkbox checked={ownerId === session.user.id} onChange={(e) => setParam('ownerId', e.target.checked ? session.user.id : undefined)} data-testid="gaps-only-mine">
          {t('gaps.onlyMine')}
        </Checkbox>
        <UserPicker value={ownerId ?? null} onChange={(v) => setParam('ownerId', v ?? undefined)} placeholder={t('gaps.owner')} style={{ width: 240 }} testId="gaps-owner" />
      </Space>
      {gaps.error instanceof ApiProblem && <ProblemAlert problem={gaps.error} />}
      {gaps.isPending && <Skeleton active />}
      {!gaps.isPending && accounts.length === 0 && !gaps.hasNextPage && <Empty description={t('gaps.empty')} />}
      <Space orientation="vertical" size={16} style={{ width: '100%' }}>
        {accounts.map((a) => (
          <Card
            key={a.accountId}
            size="small"
            data-testid="gaps-account"
            data-account-id={a.accountId}
            title={
              <Space wrap>
                <Link to={`/crm/accounts/${a.accountId}?tab=gaps`} data-testid="gaps-account-link">
                  {a.accountName}
                </Link>
                <Typography.Text type="secondary" style={{ fontWeight: 'normal' }}>
                  {t('gaps.owner')}: {a.ownerName ?? '—'}
                </Typography.Text>
              </Space>
            }
            extra={
              a.decisionContacts === 0 ? (
                <Tag color="red" data-testid="gaps-no-decision">
                  {t('gaps.noDecision')}
                </Tag>
              ) : (
                <Typography.Text type="secondary">{t('gaps.decisionCount', { count: a.decisionContacts })}</Typography.Text>
              )
            }
          >
            {a.gaps.length > 0 ? <CoverageGapList gaps={a.gaps} staleDays={staleDays} /> : <Typography.Text type="secondary">{t('gaps.noDecision')}</Typography.Text>}
          </Card>
        ))}
      </Space>
      {gaps.data && (
        <Typography.Text type="secondary" style={{ display: 'block', marginTop: 12 }} data-testid="gaps-scanned">
          {t('gaps.scanned', { count: scanned })}
        </Typography.Text>
      )}
      <LoadMore loaded={accounts.length} hasMore={!!gaps.hasNextPage} loading={gaps.isFetchingNextPage} onLoadMore={() => void gaps.fetchNextPage()} testId="gaps-load-more" />
    </div>
  );
}
