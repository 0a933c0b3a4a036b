import { useTranslation } from 'react-i18next';
import { PageHeader } from '../../../components/page-header.tsx';

export function PipelinePage() {
  const { t } = useTranslation('pipeline');
  return <PageHeader title={t('title')} />;
}
