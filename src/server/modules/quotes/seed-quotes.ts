import type { Role } from '../../../shared/roles.ts';
import type { ServiceContext } from '../../platform/context.ts';
import type { Db } from '../../platform/db.ts';
import { newId } from '../../platform/ids.ts';
import { getCompanyToday } from '../catalog/service.ts';
import { ListOpportunitiesQuery } from '../crm/opportunity-contract.ts';
import { listOpportunities } from '../crm/opportunity-service.ts';
import type { QuoteLineInput } from './contract.ts';
import { createQuote, sendQuoteVersion } from './service.ts';

/**
 * Demo quotes on the largest open deals, made through the quote service (so they are priced by the
 * engine with the demo rules, numbered, audited and on the timeline like any other). Every other
 * one is sent. Runs after the demo company is committed, as the company's admin.
 */

const SAMPLE_LINES: { sku: string; quantity: number; manualDiscountPercent?: string }[][] = [
  [
    { sku: 'ERP-STD', quantity: 1 },
    { sku: 'ERP-USER', quantity: 30 },
    { sku: 'SVC-IMPL', quantity: 20 },
  ],
  [
    { sku: 'CLOUD-ERP', quantity: 120 },
    { sku: 'CLOUD-STORAGE', quantity: 12 },
    { sku: 'SVC-TRAIN', quantity: 4, manualDiscountPercent: '5' },
  ],
  [
    { sku: 'HCM-STD', quantity: 1 },
    { sku: 'SVC-DATA', quantity: 10 },
    { sku: 'HW-SRV-2U', quantity: 2 },
  ],
];

export async function seedQuotes(
  db: Db,
  opts: { admin: { id: string; unitId: string; roles: readonly Role[] }; priceBookId: string; productIds: ReadonlyMap<string, string>; count?: number; now?: Date },
): Promise<{ rows: Record<string, number> }> {
  const ctx: ServiceContext = {
    db,
    actor: { userId: opts.admin.id, roles: opts.admin.roles, unitId: opts.admin.unitId, subtreeUnitIds: [opts.admin.unitId], locale: 'zh-CN', timeZone: 'Asia/Shanghai', via: 'session' },
    requestId: `seed-${newId()}`,
    now: opts.now ?? new Date(),
  };
  const deals = await listOpportunities(ctx, ListOpportunitiesQuery.parse({ limit: opts.count ?? 12, sort: '-amount' }));
  const today = getCompanyToday(ctx);
  let quotes = 0;
  let sent = 0;
  for (const [i, deal] of deals.items.filter((d) => d.closedAt === null).entries()) {
    const lines: QuoteLineInput[] = SAMPLE_LINES[i % SAMPLE_LINES.length]!.flatMap((l) => {
      const productId = opts.productIds.get(l.sku);
      return productId ? [{ productId, quantity: l.quantity, ...(l.manualDiscountPercent ? { manualDiscountPercent: l.manualDiscountPercent } : {}) }] : [];
    });
    const quote = await createQuote(ctx, { opportunityId: deal.id, priceBookId: opts.priceBookId, currency: 'CNY', pricingDate: today, terms: '付款方式：合同签订后 30 日内支付 100%。', lines });
    quotes++;
    if (i % 2 === 0) {
      const v1 = quote.versions[0]!;
      await sendQuoteVersion(ctx, v1.id, { version: v1.version });
      sent++;
    }
  }
  return { rows: { quotes, quote_versions: quotes, quotes_sent: sent } };
}
