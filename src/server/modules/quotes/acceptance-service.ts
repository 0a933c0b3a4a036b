import { and, eq, inArray, ne, sql } from 'drizzle-orm';
import { Money } from '../../../shared/money.ts';
import { writeAudit } from '../../platform/audit.ts';
import type { ServiceContext } from '../../platform/context.ts';
import { isUniqueViolation, withTx } from '../../platform/db.ts';
import { AppError, PlatformErrors, versionConflict } from '../../platform/errors.ts';
import { publishEvent } from '../../platform/outbox.ts';
import { getCompanyToday, getProductBriefs } from '../catalog/service.ts';
import { signContractFromQuote } from '../contracts/service.ts';
import { closeWonByContract } from '../crm/opportunity-service.ts';
import type { AcceptVersionBody, AcceptedQuote } from './approval-contract.ts';
import { QuoteErrors } from './errors.ts';
import { quoteVersions, quotes } from './schema.ts';
import { assertCanWriteQuote, loadVersions, loadVisibleVersion, source, toDetail } from './service.ts';

/**
 * Acceptance: the customer signed a version. In one transaction the version becomes accepted (the
 * quote's other live versions are superseded, the deal's other quotes closed), a contract is signed
 * from its frozen lines and prices with the chosen billing plan, the deal is closed-won with the
 * contract's amount, and `quote.accepted`, `contract.signed` and `opportunity.stage_changed` are
 * published. Only a sent or approved version (approval was enforced before either) inside its
 * validity can be accepted, and one per deal.
 */

const ACCEPTABLE = ['sent', 'approved'] as const;

export async function acceptQuoteVersion(ctx: ServiceContext, versionId: string, body: AcceptVersionBody): Promise<AcceptedQuote> {
  const { quote, version: before } = await loadVisibleVersion(ctx, versionId);
  assertCanWriteQuote(ctx, quote);
  if (before.version !== body.version) throw versionConflict(before.version);
  if (!(ACCEPTABLE as readonly string[]).includes(before.status)) {
    throw new AppError(QuoteErrors.not_acceptable, { params: { status: before.status } });
  }
  if (quote.status !== 'open') throw new AppError(QuoteErrors.quote_closed, { params: { status: quote.status } });
  const today = getCompanyToday(ctx);
  if (today > before.validUntil) throw new AppError(QuoteErrors.version_expired, { params: { validUntil: before.validUntil } });
  const signedDate = body.signedDate ?? today;
  const errors = [];
  if (signedDate > today) errors.push({ path: 'signedDate', message: 'v:date_in_future' });
  if (body.startDate !== undefined && body.startDate < signedDate) errors.push({ path: 'startDate', message: 'v:date_before_start' });
  if (errors.length > 0) throw new AppError(PlatformErrors.validation, { params: { count: errors.length }, errors });
  const [other] = await ctx.db
    .select({ number: quotes.number })
    .from(quotes)
    .where(and(eq(quotes.opportunityId, quote.opportunityId), ne(quotes.id, quote.id), sql`${quotes.acceptedVersionId} IS NOT NULL`));
  if (other) throw new AppError(QuoteErrors.deal_has_accepted_quote, { params: { number: other.number } });
  const productNames = await getProductBriefs(ctx.db, before.priced.map((l) => l.productId));

  try {
    return await withTx(ctx.db, async (tx) => {
      const [after] = await tx
        .update(quoteVersions)
        .set({ status: 'accepted', version: before.version + 1, updatedAt: ctx.now })
        .where(and(eq(quoteVersions.id, versionId), eq(quoteVersions.version, body.version), inArray(quoteVersions.status, [...ACCEPTABLE])))
        .returning();
      if (!after) throw versionConflict(before.version + 1);
      const others = await tx
        .update(quoteVersions)
        .set({ status: 'superseded', version: sql`${quoteVersions.version} + 1`, updatedAt: ctx.now })
        .where(and(eq(quoteVersions.quoteId, quote.id), ne(quoteVersions.id, versionId), inArray(quoteVersions.status, ['draft', 'sent', 'approved'])))
        .returning({ id: quoteVersions.id });
      const [quoteAfter] = await tx
        .update(quotes)
        .set({ status: 'accepted', acceptedVersionId: versionId, version: sql`${quotes.version} + 1`, updatedAt: ctx.now })
        .where(and(eq(quotes.id, quote.id), eq(quotes.status, 'open')))
        .returning();
      if (!quoteAfter) throw versionConflict(quote.version + 1);
      const closed = await tx
        .update(quotes)
        .set({ status: 'closed', version: sql`${quotes.version} + 1`, updatedAt: ctx.now })
        .where(and(eq(quotes.opportunityId, quote.opportunityId), ne(quotes.id, quote.id), eq(quotes.status, 'open')))
        .returning({ id: quotes.id });

      const contract = await signContractFromQuote(tx, ctx, {
        quote: {
          id: quote.id,
          number: quote.number,
          opportunityId: quote.opportunityId,
          accountId: quote.accountId,
          ownerId: quote.ownerId,
          unitId: quote.unitId,
          currency: Money.fromJSON(after.totals.grandTotal).currency,
        },
        version: { id: after.id, number: after.number, termMonths: after.termMonths, lines: after.lines, priced: after.priced, totals: after.totals },
        billing: body.billing,
        signedDate,
        ...(body.startDate !== undefined ? { startDate: body.startDate } : {}),
        ...(body.customerReference !== undefined ? { customerReference: body.customerReference } : {}),
        productNames,
      });
      await closeWonByContract(tx, ctx, {
        opportunityId: quote.opportunityId,
        amount: Money.fromJSON(after.totals.grandTotal),
        contractId: contract.id,
        contractNumber: contract.number,
      });
      await writeAudit(tx, source(ctx), [
        { entityType: 'quote_version', entityId: versionId, action: 'accept', changes: { status: [before.status, 'accepted'], contract: [null, contract.number] } },
        { entityType: 'quote', entityId: quote.id, action: 'accept', changes: { status: [quote.status, 'accepted'], acceptedVersionId: [null, versionId] } },
        ...others.map((o) => ({ entityType: 'quote_version', entityId: o.id, action: 'supersede', changes: { status: [null, 'superseded'] as [unknown, unknown] } })),
        ...closed.map((c) => ({ entityType: 'quote', entityId: c.id, action: 'close', changes: { status: ['open', 'closed'] as [unknown, unknown] } })),
      ]);
      await publishEvent(tx, source(ctx), {
        type: 'quote.accepted',
        aggregateType: 'quote',
        aggregateId: quote.id,
        payload: {
          accountId: quote.accountId,
          opportunityId: quote.opportunityId,
          quoteId: quote.id,
          versionId,
          number: quote.number,
          versionNo: after.number,
          total: after.totals.grandTotal,
          contractId: contract.id,
          contractNumber: contract.number,
        },
      });
      return {
        quote: await toDetail(tx, quoteAfter, await loadVersions(tx, quote.id)),
        contract: { id: contract.id, number: contract.number, total: after.totals.grandTotal },
      };
    });
  } catch (err) {
    // Two quotes of one deal accepted at once: the partial unique index lets one through.
    if (isUniqueViolation(err, 'quotes_one_accepted_per_opportunity')) throw new AppError(QuoteErrors.deal_has_accepted_quote, { params: { number: '' } });
    throw err;
  }
}
