import { useTranslation } from 'react-i18next';
import { PageHeader } from '../../../components/page-header.tsx';

export function AccountsPage() {
  const { t } = useTranslation('crm');
  return <PageHeader title={t('title')} />;
}
