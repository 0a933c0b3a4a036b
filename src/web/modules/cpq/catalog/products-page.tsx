import { PlusOutlined } from '@ant-design/icons';
import { Button, Card, Input, Select, Space, Table, Tag, Tree, Typography } from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router-dom';
import { PRODUCT_KINDS, type Product, type ProductKind } from '../../../../server/modules/catalog/contract.ts';
import { LoadMore } from '../../../components/load-more.tsx';
import { PageHeader } from '../../../components/page-header.tsx';
import { ProblemAlert } from '../../../components/problem-alert.tsx';
import { ApiProblem } from '../../../http/api-problem.ts';
import { useLocale } from '../../../i18n/use-locale.ts';
import { useSession } from '../../org/auth/use-session.ts';
import { formatMoney } from '../../crm/pipeline/money-display.ts';
import type { ProductFilters } from './catalog-api.ts';
import { usePriceBookEntries, usePriceBooks, useProductGroups, useProductList } from './catalog-queries.ts';
import { buildGroupTree, groupPath } from './group-tree.ts';
import { ProductFormDrawer } from './product-form-drawer.tsx';

type DrawerMode = { kind: 'create' } | { kind: 'edit'; productId: string } | null;

function readFilters(params: URLSearchParams): ProductFilters {
  const kind = params.get('kind');
  const active = params.get('active');
  return {
    groupId: params.get('groupId') || undefined,
    kind: kind && (PRODUCT_KINDS as readonly string[]).includes(kind) ? (kind as ProductKind) : undefined,
    active: active === 'true' || active === 'false' ? active : undefined,
    q: params.get('q') || undefined,
  };
}

/** /cpq/products: the group tree filters the table; list prices come from the chosen price book. */
export function ProductsPage() {
  const { t } = useTranslation(['cpq-catalog', 'common']);
  const locale = useLocale();
  const session = useSession();
  const canWrite = session.can('catalog.write');
  const [params, setParams] = useSearchParams();
  const filters = useMemo(() => readFilters(params), [params]);
  const groups = useProductGroups();
  const list = useProductList(filters);
  const books = usePriceBooks();
  const [bookId, setBookId] = useState<string | undefined>(undefined);
  const book = books.data?.items.find((b) => b.id === bookId) ?? books.data?.items.find((b) => b.isActive);
  const entries = usePriceBookEntries(book?.id);
  const priceOf = useMemo(() => new Map((entries.data?.items ?? []).map((e) => [e.productId, e])), [entries.data]);
  const [drawer, setDrawer] = useState<DrawerMode>(null);
  const rows = useMemo(() => list.data?.pages.flatMap((p) => p.items) ?? [], [list.data]);
  const tree = useMemo(() => buildGroupTree(groups.data?.items ?? [], locale), [groups.data, locale]);

  const change = (patch: Partial<Record<keyof ProductFilters, string | undefined>>) => {
    const next = new URLSearchParams(params);
    for (const [key, value] of Object.entries(patch)) {
      if (!value) next.delete(key);
      else next.set(key, value);
    }
    setParams(next, { replace: true });
  };
  const name = (p: Product) => (locale === 'en' && p.nameEn ? p.nameEn : p.nameZh);

  return (
    <div data-testid="products-page">
      <PageHeader
        title={t('products.title')}
        subtitle={t('products.subtitle')}
        extra={
          canWrite && (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setDrawer({ kind: 'create' })} data-testid="products-create">
              {t('products.create')}
            </Button>
          )
        }
      />
      <div style={{ display: 'flex', gap: 16, alignItems: 'flex-start' }}>
        <Card size="small" title={t('products.groups')} style={{ width: 280, flexShrink: 0 }} data-testid="product-group-tree">
          <Button
            type={filters.groupId ? 'link' : 'text'}
            size="small"
            onClick={() => change({ groupId: undefined })}
            style={{ paddingInline: 4, fontWeight: filters.groupId ? undefined : 600 }}
            data-testid="product-group-all"
          >
            {t('products.allGroups')}
          </Button>
          <Tree
            treeData={tree}
            defaultExpandAll
            key={tree.length}
            selectedKeys={filters.groupId ? [filters.groupId] : []}
            onSelect={(keys) => change({ groupId: (keys[0] as string | undefined) ?? undefined })}
            titleRender={(n) => <span data-testid="product-group-node" data-code={(n as { code: string }).code}>{String(n.title)}</span>}
          />
        </Card>
        <div style={{ flex: 1, minWidth: 0 }}>
          <Space wrap size={[12, 12]} style={{ marginBottom: 16 }}>
            <Input.Search
              key={filters.q ?? ''}
              defaultValue={filters.q ?? ''}
              allowClear
              placeholder={t('products.search')}
              onSearch={(q) => change({ q: q.trim() || undefined })}
              style={{ width: 260 }}
              data-testid="products-search"
            />
            <Select<string>
              value={filters.kind ?? ''}
              onChange={(v) => change({ kind: v || undefined })}
              style={{ width: 170 }}
              options={[{ value: '', label: t('products.allKinds') }, ...PRODUCT_KINDS.map((k) => ({ value: k, label: t(`kinds.${k}`) }))]}
              data-testid="products-filter-kind"
            />
            <Select<string>
              value={filters.active ?? ''}
              onChange={(v) => change({ active: v || undefined })}
              style={{ width: 150 }}
              options={[
                { value: '', label: t('products.activeAll') },
                { value: 'true', label: t('products.activeOnly') },
                { value: 'false', label: t('products.inactiveOnly') },
              ]}
              data-testid="products-filter-active"
            />
            <Select<string>
              value={book?.id}
              onChange={setBookId}
              style={{ width: 260 }}
              placeholder={t('products.priceBook')}
              options={(books.data?.items ?? []).map((b) => ({ value: b.id, label: `${b.code} · ${b.currency}` }))}
              data-testid="products-price-book"
            />
          </Space>
          {list.error instanceof ApiProblem && <ProblemAlert problem={list.error} />}
          <Table<Product>
            rowKey="id"
            size="middle"
            dataSource={rows}
            loading={list.isPending}
            pagination={false}
            locale={{ emptyText: t('products.empty') }}
            onRow={(p) => ({ 'data-testid': 'product-row', 'data-sku': p.sku, 'data-id': p.id }) as object}
            data-testid="products-table"
            columns={[
              {
                title: t('fields.sku'),
                key: 'sku',
                render: (_, p) =>
                  canWrite ? (
                    <Typography.Link onClick={() => setDrawer({ kind: 'edit', productId: p.id })} data-testid="product-edit">
                      {p.sku}
                    </Typography.Link>
                  ) : (
                    p.sku
                  ),
              },
              {
                title: t('fields.name'),
                key: 'name',
                render: (_, p) => (
                  <Space orientation="vertical" size={0}>
                    <span>
                      {name(p)} {p.bundle && <Tag color="purple">{t('products.bundle')}</Tag>}
                    </span>
                    <span style={{ opacity: 0.6, fontSize: 12 }}>{groupPath(p.groupId, groups.data?.items ?? [], locale)}</span>
                  </Space>
                ),
              },
              { title: t('fields.kind'), key: 'kind', render: (_, p) => t(`kinds.${p.kind}`) },
              { title: t('fields.unit'), dataIndex: 'unit' },
              { title: t('fields.taxPercent'), key: 'tax', align: 'right', render: (_, p) => `${p.taxPercent} %` },
              {
                title: book ? t('products.listIn', { code: book.code }) : t('products.listPrice'),
                key: 'price',
                align: 'right',
                render: (_, p) => {
                  const e = priceOf.get(p.id);
                  if (!e || !book) return <Typography.Text type="secondary">—</Typography.Text>;
                  return (
                    <span data-testid="product-list-price">
                      {formatMoney({ amount: e.unitPrice, currency: book.currency })}
                      {e.tiers && (
                        <Tag style={{ marginInlineStart: 6 }} color="blue">
                          {t('entries.tiered')}
                        </Tag>
                      )}
                    </span>
                  );
                },
              },
              {
                title: t('fields.active'),
                key: 'active',
                render: (_, p) => (p.isActive ? <Tag color="green">{t('products.active')}</Tag> : <Tag>{t('products.inactive')}</Tag>),
              },
            ]}
          />
          <LoadMore loaded={rows.length} hasMore={!!list.hasNextPage} loading={list.isFetchingNextPage} onLoadMore={() => void list.fetchNextPage()} />
        </div>
      </div>
      {drawer && <ProductFormDrawer mode={drawer} defaultGroupId={filters.groupId ?? null} onClose={() => setDrawer(null)} />}
    </div>
  );
}
