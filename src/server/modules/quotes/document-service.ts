import { createHash } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import type { Currency } from '../../../shared/money.ts';
import type { ServiceContext } from '../../platform/context.ts';
import { withTx } from '../../platform/db.ts';
import { getProductBriefs } from '../catalog/service.ts';
import { getAccountBriefs } from '../crm/account-service.ts';
import { readCompanyProfile } from '../org/service.ts';
import type { PdfQuery } from './approval-contract.ts';
import { type QuoteDocument, type QuotePdfLocale, quotePdfFileName, renderQuotePdf } from './quote-pdf.ts';
import { quoteDocuments, type quoteVersions } from './schema.ts';
import { loadVisibleVersion } from './service.ts';

/**
 * The quote PDF of a version. A version that can no longer change (sent, approved, rejected,
 * accepted, superseded) is rendered once per language and the bytes are kept, so the customer's
 * copy is served again exactly; a draft or one in approval is rendered on each request.
 */

type VersionRow = typeof quoteVersions.$inferSelect;

const LIVE_STATUSES: ReadonlySet<VersionRow['status']> = new Set(['draft', 'in_approval']);

export interface QuotePdfFile {
  fileName: string;
  bytes: Buffer;
  sha256: string;
  /** A draft's rendering, not stored. */
  isDraft: boolean;
}

export async function getQuotePdf(ctx: ServiceContext, versionId: string, q: PdfQuery): Promise<QuotePdfFile> {
  const { quote, version } = await loadVisibleVersion(ctx, versionId);
  const locale: QuotePdfLocale = q.locale ?? (ctx.actor.locale === 'en' ? 'en' : 'zh-CN');
  const isDraft = LIVE_STATUSES.has(version.status);
  if (!isDraft) {
    const [stored] = await ctx.db
      .select()
      .from(quoteDocuments)
      .where(and(eq(quoteDocuments.versionId, versionId), eq(quoteDocuments.locale, locale)));
    if (stored) return { fileName: stored.fileName, bytes: stored.bytes, sha256: stored.sha256, isDraft };
  }

  const [products, accounts, profile] = [
    await getProductBriefs(ctx.db, version.priced.map((l) => l.productId)),
    await getAccountBriefs(ctx.db, [quote.accountId]),
    await readCompanyProfile(ctx.db),
  ];
  const account = accounts.get(quote.accountId);
  const en = locale === 'en';
  const document: QuoteDocument = {
    // The company profile as it is now: a frozen version's PDF was stored at its first rendering.
    seller: {
      name: (en ? profile.nameEn : null) ?? profile.nameZh,
      address: (en ? profile.addressEn : null) ?? profile.addressZh,
      phone: profile.phone,
      ...(profile.email ? { email: profile.email } : {}),
      ...(profile.taxId ? { taxId: profile.taxId } : {}),
      ...(profile.bankName ? { bankName: profile.bankName } : {}),
      ...(profile.bankAccount ? { bankAccount: profile.bankAccount } : {}),
    },
    customer: {
      name: (en ? account?.nameEn : null) ?? account?.nameZh ?? '',
      ...(account?.nameEn && !en ? { nameEn: account.nameEn } : {}),
      ...(account?.address ? { address: account.address } : {}),
    },
    quoteNumber: quote.number,
    versionNumber: version.number,
    issueDate: version.pricingDate,
    validUntil: version.validUntil,
    currency: quote.currency as Currency,
    lines: version.priced
      .filter((l) => l.isCounted)
      .map((l) => {
        const p = products.get(l.productId);
        return {
          sku: p?.sku ?? '',
          name: (en ? p?.nameEn : null) ?? p?.nameZh ?? l.productId,
          quantity: l.quantity,
          unit: p?.unit ?? '',
          listUnitPrice: l.listUnit,
          netUnitPrice: l.netUnit,
          // The snapshot's own figure (from the rounded line amounts), as the quote screens show it.
          discountPct: l.discountPercent,
          taxRate: l.taxPercent,
          netAmount: l.net.amount,
          taxAmount: l.tax.amount,
        };
      }),
    totals: {
      list: version.totals.list.amount,
      net: version.totals.net.amount,
      discount: version.totals.discount.amount,
      tax: version.totals.tax.amount,
      grandTotal: version.totals.grandTotal.amount,
    },
    terms: version.terms,
  };
  const bytes = await renderQuotePdf(document, { locale });
  const fileName = quotePdfFileName(document, locale);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  if (isDraft) return { fileName, bytes, sha256, isDraft };
  // First rendering wins: a concurrent request's copy is discarded and the stored one served.
  return withTx(ctx.db, async (tx) => {
    await tx.insert(quoteDocuments).values({ versionId, locale, fileName, sha256, bytes, createdAt: ctx.now }).onConflictDoNothing();
    const [stored] = await tx
      .select()
      .from(quoteDocuments)
      .where(and(eq(quoteDocuments.versionId, versionId), eq(quoteDocuments.locale, locale)));
    return { fileName: stored!.fileName, bytes: stored!.bytes, sha256: stored!.sha256, isDraft };
  });
}
