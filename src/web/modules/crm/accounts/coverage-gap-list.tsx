import { Empty, Space, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import type { ContactGap } from '../../../../server/modules/crm/account-contract.ts';
import { SimpleList } from '../../../components/simple-list.tsx';
import { TouchAge } from './account-badges.tsx';

/** Decision-makers at risk: why (no coverage, junior only, stale), who covers them, when last touched. */
export function CoverageGapList({ gaps, staleDays }: { gaps: readonly ContactGap[]; staleDays: number }) {
  const { t } = useTranslation('crm');
  if (gaps.length === 0) return <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('gaps.noGaps')} data-testid="gaps-none" />;
  return (
    <SimpleList<ContactGap>
      testId="gap-list"
      items={gaps}
      rowKey={(g) => g.contactId}
      render={(g) => (
        <div style={{ width: '100%' }} data-testid="gap-row" data-contact-id={g.contactId}>
          <Space size={6} wrap>
            <Link to={`/crm/contacts/${g.contactId}`} data-testid="gap-contact">
              {g.name}
            </Link>
            {g.title && <Typography.Text type="secondary">{g.title}</Typography.Text>}
            {g.gaps.map((kind) => (
              <Tag key={kind} color={kind === 'uncovered' ? 'red' : kind === 'stale' ? 'orange' : 'gold'} data-testid="gap-kind" data-kind={kind}>
                {t(`enums.gap.${kind}`)}
              </Tag>
            ))}
          </Space>
          <div style={{ marginTop: 4, fontSize: 12 }}>
            <Typography.Text type="secondary">{t('gaps.coveredBy')}: </Typography.Text>
            {g.coveredBy.length === 0
              ? t('gaps.nobody')
              : g.coveredBy.map((c) => `${c.userName ?? c.userId} (${t(`enums.seniority.${c.seniority}`)}, ${c.strength}/5)`).join('、')}
            <span style={{ marginInlineStart: 12 }}>
              <Typography.Text type="secondary">{t('fields.lastTouch')}: </Typography.Text>
              <TouchAge days={g.daysSinceTouch} staleDays={staleDays} />
            </span>
          </div>
        </div>
      )}
    />
  );
}
