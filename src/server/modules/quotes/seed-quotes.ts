import type { Role } from '../../../shared/roles.ts';
import type { ServiceContext } from '../../platform/context.ts';
import type { Db } from '../../platform/db.ts';
import { newId } from '../../platform/ids.ts';
import { getCompanyToday } from '../catalog/service.ts';
import { ListOpportunitiesQuery } from '../crm/opportunity-contract.ts';
import { listOpportunities } from '../crm/opportunity-service.ts';
import type { QuoteLineInput } from './contract.ts';
import { acceptQuoteVersion } from './acceptance-service.ts';
import { getApprovalPolicy, submitQuoteVersion, updateApprovalPolicy } from './approval-service.ts';
import { createQuote, sendQuoteVersion } from './service.ts';

/**
 * Demo quotes on the largest open deals, made through the quote service (so they are priced by the
 * engine with the demo rules, numbered, audited and on the timeline like any other), under the demo
 * approval policy: two in three are submitted (sent when nothing needs approval, otherwise left
 * waiting in the approver's inbox), the first sent one is accepted into a contract. Runs after the demo company is committed, as the company's admin.
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
  opts: {
    admin: { id: string; unitId: string; roles: readonly Role[] };
    priceBookId: string;
    productIds: ReadonlyMap<string, string>;
    count?: number;
    now?: Date;
    /** A rep one of whose deals waits, discounted, in their manager's approval inbox (the demo sign-ins). */
    featuredOwnerId?: string;
  },
): Promise<{ rows: Record<string, number> }> {
  const ctx: ServiceContext = {
    db,
    actor: { userId: opts.admin.id, roles: opts.admin.roles, unitId: opts.admin.unitId, subtreeUnitIds: [opts.admin.unitId], locale: 'zh-CN', timeZone: 'Asia/Shanghai', via: 'session' },
    requestId: `seed-${newId()}`,
    now: opts.now ?? new Date(),
  };
  await seedApprovalPolicy(ctx);
  const today = getCompanyToday(ctx);
  const rows = { quotes: 0, quote_versions: 0, quotes_sent: 0, quotes_in_approval: 0, contracts: 0 };
  const largest = (await listOpportunities(ctx, ListOpportunitiesQuery.parse({ limit: opts.count ?? 12, sort: '-amount' }))).items;
  const deals = largest.filter((d) => d.closedAt === null);
  // The featured rep's largest open deal not quoted below waits, 15 % off, in their manager's inbox.
  if (opts.featuredOwnerId) {
    const own = await listOpportunities(ctx, ListOpportunitiesQuery.parse({ ownerId: opts.featuredOwnerId, limit: 10, sort: '-amount' }));
    const deal = own.items.find((d) => d.closedAt === null && !deals.some((x) => x.id === d.id));
    const productId = opts.productIds.get('ERP-STD');
    if (deal && productId) {
      const quote = await createQuote(ctx, { opportunityId: deal.id, priceBookId: opts.priceBookId, currency: 'CNY', pricingDate: today, lines: [{ productId, quantity: 1, manualDiscountPercent: '15' }] });
      const v1 = quote.versions[0]!;
      const submitted = (await submitQuoteVersion(ctx, v1.id, { version: v1.version })).versions[0]!;
      rows.quotes++;
      rows.quote_versions++;
      if (submitted.status === 'in_approval') rows.quotes_in_approval++;
    }
  }
  for (const [i, deal] of deals.entries()) {
    const lines: QuoteLineInput[] = SAMPLE_LINES[i % SAMPLE_LINES.length]!.flatMap((l, n) => {
      const productId = opts.productIds.get(l.sku);
      // Every third quote carries a rep's discount the policy sends to the seller's manager.
      const discount = i % 3 === 1 && n === 0 ? '15' : l.manualDiscountPercent;
      return productId ? [{ productId, quantity: l.quantity, ...(discount ? { manualDiscountPercent: discount } : {}) }] : [];
    });
    const quote = await createQuote(ctx, { opportunityId: deal.id, priceBookId: opts.priceBookId, currency: 'CNY', pricingDate: today, terms: '付款方式：合同签订后 30 日内支付 100%。', lines });
    rows.quotes++;
    rows.quote_versions++;
    if (i % 3 === 2) continue;
    const v1 = quote.versions[0]!;
    const submitted = (await submitQuoteVersion(ctx, v1.id, { version: v1.version })).versions[0]!;
    if (submitted.status === 'in_approval') {
      rows.quotes_in_approval++;
      continue;
    }
    const sent = (await sendQuoteVersion(ctx, v1.id, { version: submitted.version })).versions[0]!;
    rows.quotes_sent++;
    // The first sent quote was signed: a contract billed by milestones, its deal won.
    if (rows.contracts === 0) {
      await acceptQuoteVersion(ctx, sent.id, {
        version: sent.version,
        billing: {
          type: 'milestone',
          milestones: [
            { name: '合同签订 Contract signed', percent: '30' },
            { name: '上线 Go-live', percent: '60' },
            { name: '终验 Final acceptance', percent: '10' },
          ],
        },
      });
      rows.contracts++;
    }
  }
  return { rows };
}

/**
 * The demo company's approval policy: discounts climb the seller's chain, below-floor prices go to
 * the deal desk, thin margins to finance, big totals to the director.
 */
async function seedApprovalPolicy(ctx: ServiceContext): Promise<void> {
  const current = await getApprovalPolicy(ctx);
  await updateApprovalPolicy(ctx, {
    version: current.version,
    rules: [
      { id: 'discount-manager', metric: 'quote_discount', op: 'gt', threshold: '10', level: 'manager' },
      { id: 'discount-director', metric: 'quote_discount', op: 'gt', threshold: '20', level: 'director' },
      { id: 'discount-bg', metric: 'quote_discount', op: 'gt', threshold: '30', level: 'bg_head' },
      { id: 'big-deal', metric: 'total_amount', op: 'gt', threshold: '3000000', currency: 'CNY', level: 'director' },
      { id: 'below-floor', metric: 'below_floor_lines', op: 'gt', threshold: '0', level: 'deal_desk' },
      { id: 'thin-margin', metric: 'margin_pct', op: 'lt', threshold: '25', level: 'finance' },
    ],
  });
}
