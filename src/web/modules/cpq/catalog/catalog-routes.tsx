import { lazy } from 'react';
import type { RouteObject } from 'react-router-dom';

const ProductsPage = lazy(async () => ({ default: (await import('./products-page.tsx')).ProductsPage }));
const PriceBooksPage = lazy(async () => ({ default: (await import('./price-books-page.tsx')).PriceBooksPage }));
const PriceBookPage = lazy(async () => ({ default: (await import('./price-book-page.tsx')).PriceBookPage }));
const ContractPricesPage = lazy(async () => ({ default: (await import('./contract-prices-page.tsx')).ContractPricesPage }));
const RulesPage = lazy(async () => ({ default: (await import('../pricing/rules-page.tsx')).RulesPage }));
const RulePage = lazy(async () => ({ default: (await import('../pricing/rule-page.tsx')).RulePage }));

/** CPQ's catalog side: products, price books and their entries, contract prices, pricing rules. */
export const catalogRoutes: RouteObject[] = [
  { path: 'cpq/products', element: <ProductsPage /> },
  { path: 'cpq/price-books', element: <PriceBooksPage /> },
  { path: 'cpq/price-books/:id', element: <PriceBookPage /> },
  { path: 'cpq/contract-prices', element: <ContractPricesPage /> },
  { path: 'cpq/pricing-rules', element: <RulesPage /> },
  { path: 'cpq/pricing-rules/new', element: <RulePage /> },
  { path: 'cpq/pricing-rules/:id', element: <RulePage /> },
];
