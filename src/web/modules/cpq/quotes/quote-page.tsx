import { Card, Descriptions, Result, Space, Spin, Tabs, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams, useSearchParams } from 'react-router-dom';
import type { ExplainedPricedLine, QuoteDetail, QuotePricedLine, QuoteVersion } from '../../../../server/modules/quotes/contract.ts';
import { PageHeader } from '../../../components/page-header.tsx';
import { ProblemAlert } from '../../../components/problem-alert.tsx';
import { ApiProblem } from '../../../http/api-problem.ts';
import { formatDateTime } from '../../../i18n/date-format.ts';
import { useLocale } from '../../../i18n/use-locale.ts';
import { useSession } from '../../org/auth/use-session.ts';
import { QuoteStatusTag, VersionStatusTag } from './quote-badges.tsx';
import { QuoteEditor } from './quote-editor.tsx';
import { accountLabel } from './quote-format.ts';
import { ExplanationDrawer, PricedLinesTable, TotalsTable } from './quote-figures.tsx';
import { useQuote, usePriceBooks, useProductMap } from './quotes-queries.ts';
import { VersionActions } from './version-actions.tsx';

/** /quotes/:id — one quote: its versions as tabs (?v=<number>), a draft in the editor, frozen ones as priced. */
export function QuotePage() {
  const { t } = useTranslation('cpq-quotes');
  const { id } = useParams();
  const [params, setParams] = useSearchParams();
  const quote = useQuote(id);
  const products = useProductMap();
  const priceBooks = usePriceBooks();
  const locale = useLocale();
  const [explaining, setExplaining] = useState<QuotePricedLine | ExplainedPricedLine | null>(null);
  const canWrite = useSession().can('quotes.write');

  if (quote.error instanceof ApiProblem) {
    return quote.error.status === 404 ? <Result status="404" title={t('quote.notFound')} /> : <ProblemAlert problem={quote.error} />;
  }
  if (!quote.data) return <Spin />;
  const q = quote.data;
  const versions = [...q.versions].sort((a, b) => b.number - a.number);
  const wanted = Number(params.get('v'));
  const selected = versions.find((v) => v.number === wanted) ?? versions[0]!;
  const book = priceBooks.data?.items.find((b) => b.id === q.priceBookId);

  return (
    <div data-testid="quote-page" data-id={q.id} data-number={q.number}>
      <PageHeader
        title={
          <Space>
            <span data-testid="quote-number">{q.number}</span>
            <QuoteStatusTag status={q.status} />
          </Space>
        }
        subtitle={
          <Space separator="·">
            <span>
              {t('fields.account')}:{' '}
              <Link to={`/crm/accounts/${q.accountId}`} data-testid="quote-account">
                {accountLabel(q, locale, t('quote.openAccount'))}
              </Link>
            </span>
            <span>
              {t('fields.deal')}:{' '}
              <Link to={`/crm/opportunities/${q.opportunityId}`} data-testid="quote-deal">
                {q.opportunityName || t('quote.openDeal')}
              </Link>
            </span>
            <span>{t('fields.priceBook')}: {book ? (locale === 'en' && book.nameEn ? book.nameEn : book.nameZh) : '—'}</span>
            <span>{t('fields.currency')}: {q.currency}</span>
          </Space>
        }
        extra={<Link to="/cpq/quotes">{t('quote.backToList')}</Link>}
      />
      <Tabs
        activeKey={selected.id}
        onChange={(key) => {
          const v = versions.find((x) => x.id === key);
          if (v) setParams({ v: String(v.number) }, { replace: true });
        }}
        items={versions.map((v) => ({
          key: v.id,
          label: (
            <Space size={4} data-testid="version-tab" data-number={v.number} data-status={v.status}>
              {`v${v.number}`}
              <VersionStatusTag status={v.status} />
            </Space>
          ),
        }))}
        data-testid="version-tabs"
      />
      <div data-testid="version-view" data-version-id={selected.id} data-number={selected.number} data-status={selected.status}>
        {selected.status === 'draft' && canWrite ? (
          <QuoteEditor key={`${selected.id}:${selected.version}`} quote={q} version={selected} products={products} onExplain={setExplaining} />
        ) : (
          <FrozenVersion quote={q} version={selected} products={products} onExplain={setExplaining} />
        )}
      </div>
      <ExplanationDrawer line={explaining} version={selected} products={products} onClose={() => setExplaining(null)} />
    </div>
  );
}

/** A version that no longer changes: its header, the lines as priced, the totals, the actions of its status. */
function FrozenVersion({
  quote,
  version,
  products,
  onExplain,
}: {
  quote: QuoteDetail;
  version: QuoteVersion;
  products: ReturnType<typeof useProductMap>;
  onExplain: (line: QuotePricedLine | ExplainedPricedLine) => void;
}) {
  const { t } = useTranslation('cpq-quotes');
  const locale = useLocale();
  const session = useSession();
  return (
    <>
      <Card size="small" style={{ marginBottom: 16 }}>
        <Descriptions size="small" column={{ xs: 1, md: 3 }}>
          <Descriptions.Item label={t('fields.pricingDate')}>{version.pricingDate}</Descriptions.Item>
          <Descriptions.Item label={t('fields.validUntil')}>{version.validUntil}</Descriptions.Item>
          <Descriptions.Item label={t('fields.termMonths')}>{version.termMonths ?? '—'}</Descriptions.Item>
          <Descriptions.Item label={t('fields.sentAt')}>{version.sentAt ? formatDateTime(version.sentAt, locale, session.user.timeZone) : '—'}</Descriptions.Item>
          <Descriptions.Item label={t('fields.updatedAt')}>{formatDateTime(version.updatedAt, locale, session.user.timeZone)}</Descriptions.Item>
        </Descriptions>
        {version.terms && (
          <Typography.Paragraph style={{ whiteSpace: 'pre-wrap', marginTop: 8, marginBottom: 0 }}>
            <Typography.Text type="secondary">{t('fields.terms')}: </Typography.Text>
            {version.terms}
          </Typography.Paragraph>
        )}
      </Card>
      <PricedLinesTable priced={version.priced} products={products} onExplain={onExplain} />
      <div style={{ marginTop: 16 }}>
        <TotalsTable totals={version.totals} />
      </div>
      <div style={{ marginTop: 16 }}>
        <VersionActions quote={quote} version={version} />
      </div>
    </>
  );
}
