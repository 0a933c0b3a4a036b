import { Button, Typography } from 'antd';
import { useTranslation } from 'react-i18next';

/** Under a cursor-paginated table: how many rows are loaded, and a button for the next page. */
export function LoadMore({
  loaded,
  hasMore,
  loading,
  onLoadMore,
  testId = 'load-more',
}: {
  loaded: number;
  hasMore: boolean;
  loading: boolean;
  onLoadMore: () => void;
  testId?: string;
}) {
  const { t } = useTranslation();
  if (loaded === 0 && !hasMore) return null;
  return (
    <div style={{ display: 'flex', justifyContent: 'center', alignItems: 'center', gap: 16, marginTop: 16 }}>
      <Typography.Text type="secondary" data-testid={`${testId}-count`}>
        {hasMore ? t('list.loaded', { count: loaded }) : t('list.allLoaded', { count: loaded })}
      </Typography.Text>
      {hasMore && (
        <Button onClick={onLoadMore} loading={loading} data-testid={testId}>
          {t('actions.loadMore')}
        </Button>
      )}
    </div>
  );
}
