import type {
  ContractPrice,
  ContractPriceList,
  CreateContractPriceBody,
  CreatePriceBookBody,
  CreateProductBody,
  ImportBody,
  ImportReport,
  ListProductsQuery,
  PatchEntriesBody,
  PriceBook,
  PriceBookEntryList,
  PriceBookList,
  Product,
  ProductGroupList,
  UpdateContractPriceBody,
  UpdatePriceBookBody,
  UpdateProductBody,
} from '../../../../server/modules/catalog/contract.ts';
import type { Page } from '../../../../shared/api.ts';
import { api, buildUrl } from '../../../http/api-client.ts';

/** The catalog API (groups, products, price books and entries, XLSX round trip, contract prices), typed by the server's contract. */
export type ProductFilters = Partial<Pick<ListProductsQuery, 'groupId' | 'kind' | 'q'>> & { active?: 'true' | 'false' | undefined };

const base = '/api/v1/catalog';
const seg = encodeURIComponent;

export const catalogApi = {
  groups: (signal?: AbortSignal) => api.get<ProductGroupList>(`${base}/product-groups`, undefined, signal),
  products: (filters: ProductFilters & { limit?: number; cursor?: string | undefined }, signal?: AbortSignal) =>
    api.get<Page<Product>>(`${base}/products`, { ...filters }, signal),
  product: (id: string, signal?: AbortSignal) => api.get<Product>(`${base}/products/${seg(id)}`, undefined, signal),
  createProduct: (body: CreateProductBody, idempotencyKey?: string) => api.create<Product>(`${base}/products`, body, idempotencyKey),
  updateProduct: (id: string, body: UpdateProductBody) => api.patch<Product>(`${base}/products/${seg(id)}`, body),

  priceBooks: (signal?: AbortSignal) => api.get<PriceBookList>(`${base}/price-books`, undefined, signal),
  priceBook: (id: string, signal?: AbortSignal) => api.get<PriceBook>(`${base}/price-books/${seg(id)}`, undefined, signal),
  createPriceBook: (body: CreatePriceBookBody, idempotencyKey?: string) => api.create<PriceBook>(`${base}/price-books`, body, idempotencyKey),
  updatePriceBook: (id: string, body: UpdatePriceBookBody) => api.patch<PriceBook>(`${base}/price-books/${seg(id)}`, body),
  entries: (id: string, signal?: AbortSignal) => api.get<PriceBookEntryList>(`${base}/price-books/${seg(id)}/entries`, undefined, signal),
  patchEntries: (id: string, body: PatchEntriesBody) => api.patch<PriceBookEntryList>(`${base}/price-books/${seg(id)}/entries`, body),
  exportUrl: (id: string) => buildUrl(`${base}/price-books/${seg(id)}/export.xlsx`),
  importBook: (id: string, body: ImportBody) => api.post<ImportReport>(`${base}/price-books/${seg(id)}/import`, body),

  contractPrices: (accountId: string, onDate: string | undefined, signal?: AbortSignal) =>
    api.get<ContractPriceList>(`${base}/accounts/${seg(accountId)}/contract-prices`, { onDate }, signal),
  createContractPrice: (accountId: string, body: CreateContractPriceBody, idempotencyKey?: string) =>
    api.create<ContractPrice>(`${base}/accounts/${seg(accountId)}/contract-prices`, body, idempotencyKey),
  updateContractPrice: (accountId: string, id: string, body: UpdateContractPriceBody) =>
    api.patch<ContractPrice>(`${base}/accounts/${seg(accountId)}/contract-prices/${seg(id)}`, body),
};

export const catalogKeys = {
  all: ['catalog'] as const,
  groups: ['catalog', 'groups'] as const,
  products: (filters: ProductFilters) => ['catalog', 'products', 'list', filters] as const,
  /** Every product (the catalog is small: pickers and SKU labels read it whole). */
  allProducts: ['catalog', 'products', 'all'] as const,
  product: (id: string) => ['catalog', 'products', 'one', id] as const,
  priceBooks: ['catalog', 'price-books'] as const,
  priceBook: (id: string) => ['catalog', 'price-books', 'one', id] as const,
  entries: (id: string) => ['catalog', 'price-books', 'entries', id] as const,
  contractPrices: (accountId: string, onDate: string | undefined) => ['catalog', 'contract-prices', accountId, onDate ?? 'today'] as const,
};
