import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router-dom';
import { PageHeader } from '../../../components/page-header.tsx';
import { DealQuotesCard } from '../../cpq/quotes/deal-quotes-card.tsx';
import { OpportunityDetailView } from './opportunity-detail.tsx';
import { useOpportunity } from './pipeline-queries.ts';

/** /crm/opportunities/:id — one deal on its own page (the same view as the pipeline's drawer). */
export function OpportunityPage() {
  const { t } = useTranslation('pipeline');
  const { id = '' } = useParams();
  const deal = useOpportunity(id);
  return (
    <div data-testid="opportunity-page">
      <PageHeader title={t('detail.title')} extra={<Link to="/crm/pipeline">{t('detail.backToPipeline')}</Link>} />
      <OpportunityDetailView id={id} />
      {deal.data && <DealQuotesCard opportunityId={deal.data.id} isOpen={deal.data.closedAt === null} />}
    </div>
  );
}
