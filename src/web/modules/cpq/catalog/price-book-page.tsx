import { DownloadOutlined, EditOutlined, PlusOutlined, UploadOutlined } from '@ant-design/icons';
import { useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Descriptions, Input, Space, Table, Tag, Tooltip, Typography } from 'antd';
import dayjs from 'dayjs';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router-dom';
import type { TierTable } from '../../../../server/modules/catalog/catalog.ts';
import type { ImportReport, PriceBookEntry } from '../../../../server/modules/catalog/contract.ts';
import { PageHeader } from '../../../components/page-header.tsx';
import { ProblemAlert } from '../../../components/problem-alert.tsx';
import { useShowProblem } from '../../../components/use-show-problem.ts';
import { ApiProblem } from '../../../http/api-problem.ts';
import { useLocale } from '../../../i18n/use-locale.ts';
import { useSession } from '../../org/auth/use-session.ts';
import { downloadFile } from '../../crm/pipeline/file-download.ts';
import { formatMoney } from '../../crm/pipeline/money-display.ts';
import { BOOK_STATUS_COLORS, bookStatus } from './book-status.ts';
import { catalogApi, catalogKeys } from './catalog-api.ts';
import { ProductPicker } from './catalog-pickers.tsx';
import { useAllProducts, usePriceBook, usePriceBookEntries } from './catalog-queries.ts';
import { type EntryEdit, entryIssuesByProduct, toPatchBody, withEdit } from './entry-edits.ts';
import { PriceBookFormModal } from './price-book-form-modal.tsx';
import { TierTableEditor } from './tier-table-editor.tsx';
import { XlsxImportModal } from './xlsx-import-modal.tsx';

interface Row {
  productId: string;
  sku: string;
  name: string;
  stored: PriceBookEntry | undefined;
  unitPrice: string | null;
  tiers: TierTable | null;
  isEdited: boolean;
}

/**
 * /cpq/price-books/:id: the book's entries with inline list-price edits and tier tables, saved
 * together under the book's version; the XLSX round trip (export, import with a dry run first).
 */
export function PriceBookPage() {
  const { id = '' } = useParams();
  const { t } = useTranslation(['cpq-catalog', 'common']);
  const locale = useLocale();
  const { message } = App.useApp();
  const showProblem = useShowProblem();
  const queryClient = useQueryClient();
  const canWrite = useSession().can('catalog.write');
  const book = usePriceBook(id);
  const entries = usePriceBookEntries(id);
  const products = useAllProducts();
  const [edits, setEdits] = useState<Map<string, EntryEdit>>(new Map());
  const [rowIssues, setRowIssues] = useState<Map<string, string[]>>(new Map());
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const [saving, setSaving] = useState(false);
  const [tierFor, setTierFor] = useState<Row | null>(null);
  const [editingBook, setEditingBook] = useState(false);
  const [importing, setImporting] = useState(false);
  const [adding, setAdding] = useState<string | null>(null);
  const [filter, setFilter] = useState('');
  const currency = entries.data?.currency ?? book.data?.currency ?? 'CNY';

  const rows = useMemo<Row[]>(() => {
    const stored = new Map((entries.data?.items ?? []).map((e) => [e.productId, e]));
    const productById = new Map((products.data ?? []).map((p) => [p.id, p]));
    const ids = [...stored.keys(), ...[...edits.keys()].filter((k) => !stored.has(k))];
    const q = filter.trim().toLowerCase();
    return ids
      .map((productId) => {
        const s = stored.get(productId);
        const p = productById.get(productId);
        const edit = edits.get(productId);
        return {
          productId,
          sku: s?.sku ?? p?.sku ?? productId,
          name: (locale === 'en' && p?.nameEn) || s?.nameZh || p?.nameZh || '',
          stored: s,
          unitPrice: edit ? edit.unitPrice : (s?.unitPrice ?? null),
          tiers: edit ? edit.tiers : (s?.tiers ?? null),
          isEdited: !!edit,
        };
      })
      .filter((r) => !q || r.sku.toLowerCase().includes(q) || r.name.toLowerCase().includes(q))
      .sort((a, b) => a.sku.localeCompare(b.sku));
  }, [entries.data, products.data, edits, locale, filter]);

  const edit = (row: Pick<Row, 'productId' | 'stored'>, next: EntryEdit) => setEdits((e) => withEdit(e, row.stored, row.productId, next));

  const save = async () => {
    if (!entries.data) return;
    const { body, order } = toPatchBody(entries.data.version, currency, edits);
    setSaving(true);
    setProblem(null);
    setRowIssues(new Map());
    try {
      const saved = await catalogApi.patchEntries(id, body);
      queryClient.setQueryData(catalogKeys.entries(id), saved);
      void queryClient.invalidateQueries({ queryKey: catalogKeys.priceBooks });
      setEdits(new Map());
      void message.success(t('entries.saved', { count: order.length }));
    } catch (err) {
      if (!(err instanceof ApiProblem)) throw err;
      setProblem(err);
      setRowIssues(entryIssuesByProduct(err.errors, order));
      if (err.isVersionConflict) void entries.refetch();
    } finally {
      setSaving(false);
    }
  };

  const exportXlsx = async () => {
    try {
      await downloadFile(catalogApi.exportUrl(id), `${book.data?.code ?? 'price-book'}.xlsx`);
    } catch (err) {
      showProblem(err);
    }
  };

  const b = book.data;
  const today = dayjs().format('YYYY-MM-DD');
  const status = b ? bookStatus(b, today) : null;
  return (
    <div data-testid="price-book-page" data-version={entries.data?.version}>
      <PageHeader
        title={b ? `${b.code} · ${locale === 'en' && b.nameEn ? b.nameEn : b.nameZh}` : t('books.title')}
        subtitle={<Link to="/cpq/price-books">{t('books.back')}</Link>}
        extra={
          <>
            <Button icon={<DownloadOutlined />} onClick={() => void exportXlsx()} data-testid="price-book-export">
              {t('entries.export')}
            </Button>
            {canWrite && (
              <>
                <Button icon={<UploadOutlined />} disabled={edits.size > 0} onClick={() => setImporting(true)} data-testid="price-book-import">
                  {t('entries.import')}
                </Button>
                <Button icon={<EditOutlined />} onClick={() => setEditingBook(true)} disabled={!b} data-testid="price-book-edit">
                  {t('books.edit')}
                </Button>
              </>
            )}
          </>
        }
      />
      {book.error instanceof ApiProblem && <ProblemAlert problem={book.error} />}
      {b && status && (
        <Descriptions size="small" bordered column={4} style={{ marginBottom: 16 }}>
          <Descriptions.Item label={t('fields.currency')}>{b.currency}</Descriptions.Item>
          <Descriptions.Item label={t('fields.validity')}>{`${b.validFrom} ~ ${b.validTo ?? t('books.openEnded')}`}</Descriptions.Item>
          <Descriptions.Item label={t('fields.status')}>
            <Tag color={BOOK_STATUS_COLORS[status]}>{t(`books.status.${status}`)}</Tag>
          </Descriptions.Item>
          <Descriptions.Item label={t('books.entries')}>{entries.data?.items.length ?? b.entryCount}</Descriptions.Item>
        </Descriptions>
      )}
      <Space wrap style={{ marginBottom: 12, width: '100%', justifyContent: 'space-between' }}>
        <Space wrap>
          <Input.Search allowClear placeholder={t('products.search')} onChange={(e) => setFilter(e.target.value)} style={{ width: 240 }} data-testid="entries-filter" />
          {canWrite && (
            <Space.Compact>
              <ProductPicker
                value={adding}
                onChange={setAdding}
                placeholder={t('entries.addPlaceholder')}
                style={{ width: 300 }}
                testId="entries-add-product"
              />
              <Button
                icon={<PlusOutlined />}
                disabled={!adding || rows.some((r) => r.productId === adding && r.unitPrice !== null)}
                onClick={() => {
                  if (adding) edit({ productId: adding, stored: entries.data?.items.find((e) => e.productId === adding) }, { unitPrice: '', tiers: null });
                  setAdding(null);
                }}
                data-testid="entries-add"
              >
                {t('entries.add')}
              </Button>
            </Space.Compact>
          )}
        </Space>
        {canWrite && (
          <Space>
            {edits.size > 0 && <Typography.Text type="warning">{t('entries.unsaved', { count: edits.size })}</Typography.Text>}
            <Button disabled={edits.size === 0} onClick={() => (setEdits(new Map()), setRowIssues(new Map()), setProblem(null))} data-testid="entries-discard">
              {t('entries.discard')}
            </Button>
            <Button type="primary" disabled={edits.size === 0} loading={saving} onClick={() => void save()} data-testid="entries-save">
              {t('entries.save')}
            </Button>
          </Space>
        )}
      </Space>
      {problem && (problem.isVersionConflict ? <Alert type="warning" showIcon title={t('entries.conflict')} style={{ marginBottom: 16 }} /> : <ProblemAlert problem={problem} />)}
      <Table<Row>
        rowKey="productId"
        size="small"
        loading={entries.isPending}
        dataSource={rows}
        pagination={false}
        data-testid="entries-table"
        onRow={(r) => ({ 'data-testid': 'entry-row', 'data-sku': r.sku, 'data-edited': r.isEdited ? 'true' : 'false' }) as object}
        columns={[
          { title: t('fields.sku'), dataIndex: 'sku', width: 160 },
          { title: t('fields.name'), dataIndex: 'name' },
          {
            title: t('entries.listPrice', { currency }),
            key: 'price',
            width: 260,
            render: (_, r) => {
              const issues = rowIssues.get(r.productId);
              if (r.unitPrice === null) return <Tag color="red">{t('entries.removed')}</Tag>;
              return canWrite ? (
                <div>
                  <Input
                    inputMode="decimal"
                    value={r.unitPrice}
                    status={issues ? 'error' : undefined}
                    onChange={(e) => edit(r, { unitPrice: e.target.value, tiers: r.tiers })}
                    style={{ width: 180 }}
                    prefix={currency}
                    data-testid="entry-price"
                  />
                  {issues && (
                    <div className="ant-form-item-explain-error" data-testid="entry-issue">
                      {issues.join('; ')}
                    </div>
                  )}
                </div>
              ) : (
                formatMoney({ amount: r.unitPrice, currency })
              );
            },
          },
          {
            title: t('entries.tiers'),
            key: 'tiers',
            width: 260,
            render: (_, r) => (
              <Space size={4}>
                {r.tiers ? (
                  <Tooltip title={r.tiers.bands.map((band) => `≥${band.fromQty}: ${band.unitPrice}`).join(' · ')}>
                    <Tag color="blue" data-testid="entry-tiers">
                      {t(`tiers.modes.${r.tiers.mode}`)} · {t('entries.bands', { count: r.tiers.bands.length })}
                    </Tag>
                  </Tooltip>
                ) : (
                  <Typography.Text type="secondary">—</Typography.Text>
                )}
                {canWrite && r.unitPrice !== null && (
                  <Button size="small" type="link" onClick={() => setTierFor(r)} data-testid="entry-edit-tiers">
                    {r.tiers ? t('entries.editTiers') : t('entries.addTiers')}
                  </Button>
                )}
              </Space>
            ),
          },
          {
            key: 'actions',
            width: 120,
            render: (_, r) =>
              canWrite && (
                <Space size={4}>
                  {r.unitPrice !== null ? (
                    <Button size="small" type="link" danger onClick={() => edit(r, { unitPrice: null, tiers: null })} data-testid="entry-remove">
                      {t('entries.remove')}
                    </Button>
                  ) : (
                    <Button size="small" type="link" onClick={() => setEdits((e) => withEdit(e, r.stored, r.productId, { unitPrice: r.stored?.unitPrice ?? null, tiers: r.stored?.tiers ?? null }))}>
                      {t('entries.undo')}
                    </Button>
                  )}
                </Space>
              ),
          },
        ]}
      />
      {tierFor && (
        <TierTableEditor
          sku={tierFor.sku}
          currency={currency}
          listPrice={tierFor.unitPrice}
          value={tierFor.tiers}
          onCancel={() => setTierFor(null)}
          onApply={(tiers) => {
            edit(tierFor, { unitPrice: tierFor.unitPrice, tiers });
            setTierFor(null);
          }}
        />
      )}
      {editingBook && b && <PriceBookFormModal book={b} onClose={() => setEditingBook(false)} onSaved={() => void book.refetch()} />}
      {importing && entries.data && (
        <XlsxImportModal<ImportReport>
          title={t('entries.importTitle', { code: b?.code ?? '' })}
          testId="price-book-import-modal"
          run={(fileBase64, dryRun) => catalogApi.importBook(id, { fileBase64, dryRun, version: entries.data!.version })}
          onClose={() => setImporting(false)}
          onApplied={() => {
            void queryClient.invalidateQueries({ queryKey: catalogKeys.all });
          }}
        />
      )}
    </div>
  );
}
