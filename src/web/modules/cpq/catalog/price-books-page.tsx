import { PlusOutlined } from '@ant-design/icons';
import { Button, Table, Tag } from 'antd';
import dayjs from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router-dom';
import type { PriceBook } from '../../../../server/modules/catalog/contract.ts';
import { PageHeader } from '../../../components/page-header.tsx';
import { ProblemAlert } from '../../../components/problem-alert.tsx';
import { ApiProblem } from '../../../http/api-problem.ts';
import { useLocale } from '../../../i18n/use-locale.ts';
import { useSession } from '../../org/auth/use-session.ts';
import { BOOK_STATUS_COLORS, bookStatus } from './book-status.ts';
import { usePriceBooks } from './catalog-queries.ts';
import { PriceBookFormModal } from './price-book-form-modal.tsx';

/** /cpq/price-books: every price book with its currency, validity and status. */
export function PriceBooksPage() {
  const { t } = useTranslation(['cpq-catalog', 'common']);
  const locale = useLocale();
  const session = useSession();
  const navigate = useNavigate();
  const books = usePriceBooks();
  const [creating, setCreating] = useState(false);
  const today = dayjs().format('YYYY-MM-DD');
  return (
    <div data-testid="price-books-page">
      <PageHeader
        title={t('books.title')}
        subtitle={t('books.subtitle')}
        extra={
          session.can('catalog.write') && (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="price-books-create">
              {t('books.create')}
            </Button>
          )
        }
      />
      {books.error instanceof ApiProblem && <ProblemAlert problem={books.error} />}
      <Table<PriceBook>
        rowKey="id"
        loading={books.isPending}
        dataSource={books.data?.items ?? []}
        pagination={false}
        onRow={(b) => ({ 'data-testid': 'price-book-row', 'data-code': b.code, onDoubleClick: () => void navigate(`/cpq/price-books/${b.id}`) }) as object}
        columns={[
          { title: t('fields.code'), key: 'code', render: (_, b) => <Link to={`/cpq/price-books/${b.id}`}>{b.code}</Link> },
          { title: t('fields.name'), key: 'name', render: (_, b) => (locale === 'en' && b.nameEn ? b.nameEn : b.nameZh) },
          { title: t('fields.currency'), dataIndex: 'currency' },
          { title: t('fields.validity'), key: 'validity', render: (_, b) => `${b.validFrom} ~ ${b.validTo ?? t('books.openEnded')}` },
          {
            title: t('fields.status'),
            key: 'status',
            render: (_, b) => {
              const s = bookStatus(b, today);
              return <Tag color={BOOK_STATUS_COLORS[s]}>{t(`books.status.${s}`)}</Tag>;
            },
          },
          { title: t('books.entries'), dataIndex: 'entryCount', align: 'right' },
        ]}
      />
      {creating && <PriceBookFormModal onClose={() => setCreating(false)} onSaved={(b) => void navigate(`/cpq/price-books/${b.id}`)} />}
    </div>
  );
}
