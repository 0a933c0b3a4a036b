import { PlusOutlined } from '@ant-design/icons';
import { Button, Card, Table } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router-dom';
import type { Quote } from '../../../../server/modules/quotes/contract.ts';
import { ProblemAlert } from '../../../components/problem-alert.tsx';
import { ApiProblem } from '../../../http/api-problem.ts';
import { useSession } from '../../org/auth/use-session.ts';
import { formatMoney } from '../../crm/pipeline/money-display.ts';
import { NewQuoteModal } from './new-quote-modal.tsx';
import { QuoteStatusTag } from './quote-badges.tsx';
import { useQuoteList } from './quotes-queries.ts';

/** The "Quotes" section of a deal: its quotes (number, status, latest version, total) and "New quote". */
export function DealQuotesCard({ opportunityId, isOpen }: { opportunityId: string; isOpen: boolean }) {
  const { t } = useTranslation('cpq-quotes');
  const session = useSession();
  const navigate = useNavigate();
  const [creating, setCreating] = useState(false);
  const canRead = session.can('quotes.read');
  const list = useQuoteList({ opportunityId }, canRead);
  if (!canRead) return null;
  const rows = list.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <Card
      size="small"
      title={t('deal.title')}
      style={{ marginTop: 16 }}
      data-testid="deal-quotes"
      extra={
        session.can('quotes.write') &&
        isOpen && (
          <Button size="small" icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="deal-new-quote">
            {t('deal.newQuote')}
          </Button>
        )
      }
    >
      {list.error instanceof ApiProblem && <ProblemAlert problem={list.error} />}
      <Table<Quote>
        rowKey="id"
        size="small"
        pagination={false}
        loading={list.isPending}
        dataSource={rows}
        locale={{ emptyText: t('deal.empty') }}
        onRow={(q) => ({ 'data-testid': 'deal-quote-row', 'data-id': q.id }) as object}
        columns={[
          { title: t('fields.number'), key: 'number', render: (_, q) => <Link to={`/cpq/quotes/${q.id}`}>{q.number}</Link> },
          { title: t('fields.status'), key: 'status', render: (_, q) => <QuoteStatusTag status={q.status} /> },
          { title: t('fields.latestVersion'), key: 'v', render: (_, q) => `v${q.latestVersionNo}` },
          { title: t('totals.grandTotal'), key: 'total', align: 'right', render: (_, q) => (q.total ? formatMoney(q.total) : '—') },
        ]}
      />
      {creating && <NewQuoteModal opportunityId={opportunityId} onClose={() => setCreating(false)} onCreated={(q) => void navigate(`/cpq/quotes/${q.id}`)} />}
    </Card>
  );
}
