import { z } from 'zod';
import type { ApiRouter } from '../../platform/http.ts';
import {
  AccountParams,
  ContractPrice,
  ContractPriceList,
  ContractPriceListQuery,
  ContractPriceParams,
  CreateContractPriceBody,
  CreatePriceBookBody,
  CreateProductBody,
  CreateProductGroupBody,
  IdParams,
  ImportBody,
  ImportReport,
  ListProductsQuery,
  PriceBook,
  PriceBookEntryList,
  PriceBookList,
  Product,
  ProductGroup,
  ProductGroupList,
  ProductPage,
  PatchEntriesBody,
  UpdateContractPriceBody,
  UpdatePriceBookBody,
  UpdateProductBody,
  UpdateProductGroupBody,
} from './contract.ts';
import {
  createContractPrice,
  createPriceBook,
  createProduct,
  createProductGroup,
  exportPriceBookXlsx,
  getPriceBook,
  getProduct,
  importPriceBookXlsx,
  listContractPrices,
  listPriceBookEntries,
  listPriceBooks,
  listProductGroups,
  listProducts,
  patchPriceBookEntries,
  updateContractPrice,
  updatePriceBook,
  updateProduct,
  updateProductGroup,
} from './service.ts';

const tags = ['catalog'];
export const XLSX_MIME = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
/** A binary body (the workbook); the router sends it as is with the content type set by the handler. */
export const BinaryBody = z.instanceof(Buffer).meta({ description: 'XLSX workbook' });

/** Product groups, products and bundles, price books (entries, XLSX round trip), contracted prices. */
export function registerCatalogRoutes(router: ApiRouter): void {
  router.route({
    method: 'GET',
    url: '/api/v1/catalog/product-groups',
    summary: 'Product groups (a tree: parentId), ordered by code',
    tags,
    response: ProductGroupList,
    handler: (ctx) => listProductGroups(ctx),
  });
  router.route({
    method: 'POST',
    url: '/api/v1/catalog/product-groups',
    summary: 'Create a product group (deal desk, admins; 422 on a cycle)',
    tags,
    idempotent: true,
    body: CreateProductGroupBody,
    response: ProductGroup,
    handler: (ctx, { body }) => createProductGroup(ctx, body),
  });
  router.route({
    method: 'PATCH',
    url: '/api/v1/catalog/product-groups/:id',
    summary: 'Rename or move a product group (version; 422 on a cycle)',
    tags,
    params: IdParams,
    body: UpdateProductGroupBody,
    response: ProductGroup,
    handler: (ctx, { params, body }) => updateProductGroup(ctx, params.id, body),
  });

  router.route({
    method: 'GET',
    url: '/api/v1/catalog/products',
    summary: 'Products by SKU, filtered by group (incl. sub-groups), kind, active, text; cursor-paginated',
    tags,
    query: ListProductsQuery,
    response: ProductPage,
    handler: (ctx, { query }) => listProducts(ctx, query),
  });
  router.route({
    method: 'GET',
    url: '/api/v1/catalog/products/:id',
    summary: 'One product (cost only for roles that see margins)',
    tags,
    params: IdParams,
    response: Product,
    handler: (ctx, { params }) => getProduct(ctx, params.id),
  });
  router.route({
    method: 'POST',
    url: '/api/v1/catalog/products',
    summary: 'Create a product or bundle (deal desk, admins)',
    tags,
    idempotent: true,
    body: CreateProductBody,
    response: Product,
    handler: (ctx, { body }) => createProduct(ctx, body),
  });
  router.route({
    method: 'PATCH',
    url: '/api/v1/catalog/products/:id',
    summary: 'Update a product or bundle (version)',
    tags,
    params: IdParams,
    body: UpdateProductBody,
    response: Product,
    handler: (ctx, { params, body }) => updateProduct(ctx, params.id, body),
  });

  router.route({
    method: 'GET',
    url: '/api/v1/catalog/price-books',
    summary: 'Price books by currency and validity',
    tags,
    response: PriceBookList,
    handler: (ctx) => listPriceBooks(ctx),
  });
  router.route({
    method: 'GET',
    url: '/api/v1/catalog/price-books/:id',
    summary: 'One price book',
    tags,
    params: IdParams,
    response: PriceBook,
    handler: (ctx, { params }) => getPriceBook(ctx, params.id),
  });
  router.route({
    method: 'POST',
    url: '/api/v1/catalog/price-books',
    summary: 'Create a price book (deal desk, admins)',
    tags,
    idempotent: true,
    body: CreatePriceBookBody,
    response: PriceBook,
    handler: (ctx, { body }) => createPriceBook(ctx, body),
  });
  router.route({
    method: 'PATCH',
    url: '/api/v1/catalog/price-books/:id',
    summary: 'Update a price book (version)',
    tags,
    params: IdParams,
    body: UpdatePriceBookBody,
    response: PriceBook,
    handler: (ctx, { params, body }) => updatePriceBook(ctx, params.id, body),
  });
  router.route({
    method: 'GET',
    url: '/api/v1/catalog/price-books/:id/entries',
    summary: 'List prices (and tier tables) of a price book',
    tags,
    params: IdParams,
    response: PriceBookEntryList,
    handler: (ctx, { params }) => listPriceBookEntries(ctx, params.id),
  });
  router.route({
    method: 'PATCH',
    url: '/api/v1/catalog/price-books/:id/entries',
    summary: "Set or remove list prices (the book's version; the currency must be the book's)",
    tags,
    params: IdParams,
    body: PatchEntriesBody,
    response: PriceBookEntryList,
    handler: (ctx, { params, body }) => patchPriceBookEntries(ctx, params.id, body),
  });
  router.route({
    method: 'GET',
    url: '/api/v1/catalog/price-books/:id/export.xlsx',
    summary: 'The price book as a workbook (sheets Entries and Tiers)',
    tags,
    params: IdParams,
    response: BinaryBody,
    handler: async (ctx, { params }, _req, reply) => {
      const file = await exportPriceBookXlsx(ctx, params.id);
      void reply.header('content-type', XLSX_MIME).header('content-disposition', `attachment; filename="${file.filename}"`);
      return file.content;
    },
  });
  router.route({
    method: 'POST',
    url: '/api/v1/catalog/price-books/:id/import',
    summary: 'Import a price book workbook: dry run reports every row; otherwise all-or-nothing (422 with every row)',
    tags,
    params: IdParams,
    body: ImportBody,
    response: ImportReport,
    handler: (ctx, { params, body }) => importPriceBookXlsx(ctx, params.id, body),
  });

  router.route({
    method: 'GET',
    url: '/api/v1/catalog/accounts/:accountId/contract-prices',
    summary: "An account's contracted prices and the effective ones (inherited from parent accounts unless overridden)",
    tags,
    params: AccountParams,
    query: ContractPriceListQuery,
    response: ContractPriceList,
    handler: (ctx, { params, query }) => listContractPrices(ctx, params.accountId, query.onDate),
  });
  router.route({
    method: 'POST',
    url: '/api/v1/catalog/accounts/:accountId/contract-prices',
    summary: 'Add a contracted price for an account (deal desk, admins)',
    tags,
    idempotent: true,
    params: AccountParams,
    body: CreateContractPriceBody,
    response: ContractPrice,
    handler: (ctx, { params, body }) => createContractPrice(ctx, params.accountId, body),
  });
  router.route({
    method: 'PATCH',
    url: '/api/v1/catalog/accounts/:accountId/contract-prices/:id',
    summary: 'Change a contracted price (version)',
    tags,
    params: ContractPriceParams,
    body: UpdateContractPriceBody,
    response: ContractPrice,
    handler: (ctx, { params, body }) => updateContractPrice(ctx, params.accountId, params.id, body),
  });
}
