import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router-dom';
import { PageHeader } from '../../../components/page-header.tsx';
import { OpportunityDetailView } from './opportunity-detail.tsx';

/** /crm/opportunities/:id — one deal on its own page (the same view as the pipeline's drawer). */
export function OpportunityPage() {
  const { t } = useTranslation('pipeline');
  const { id = '' } = useParams();
  return (
    <div data-testid="opportunity-page">
      <PageHeader title={t('detail.title')} extra={<Link to="/crm/pipeline">{t('detail.backToPipeline')}</Link>} />
      <OpportunityDetailView id={id} />
    </div>
  );
}
