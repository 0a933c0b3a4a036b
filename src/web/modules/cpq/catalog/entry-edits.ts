import type { TierTable } from '../../../../server/modules/catalog/catalog.ts';
import type { PatchEntriesBody, PriceBookEntry } from '../../../../server/modules/catalog/contract.ts';

/**
 * Unsaved edits of a price book's entries, kept per product until "save": a new list price, new
 * tiers, or removal (unitPrice null). Saving sends only the edited rows with the book's version;
 * a 422 names rows by their index in what was sent, which entryIssuesByProduct maps back.
 */
export interface EntryEdit {
  unitPrice: string | null;
  tiers: TierTable | null;
}

export type EntryEdits = ReadonlyMap<string, EntryEdit>;

const sameTiers = (a: TierTable | null, b: TierTable | null) => JSON.stringify(a) === JSON.stringify(b);

/** Record an edit; an edit that brings the row back to what is stored is dropped. */
export function withEdit(edits: EntryEdits, stored: PriceBookEntry | undefined, productId: string, edit: EntryEdit): Map<string, EntryEdit> {
  const next = new Map(edits);
  const unchanged = stored ? stored.unitPrice === edit.unitPrice && sameTiers(stored.tiers, edit.tiers) : edit.unitPrice === null;
  if (unchanged) next.delete(productId);
  else next.set(productId, edit);
  return next;
}

export function toPatchBody(version: number, currency: string, edits: EntryEdits): { body: PatchEntriesBody; order: string[] } {
  const order = [...edits.keys()];
  return {
    body: {
      version,
      currency: currency as PatchEntriesBody['currency'],
      entries: order.map((productId) => {
        const e = edits.get(productId)!;
        return { productId, unitPrice: e.unitPrice === null ? null : e.unitPrice.trim(), tiers: e.unitPrice === null ? null : e.tiers };
      }),
    },
    order,
  };
}

/** `entries.3.tiers.bands.1.fromQty` → messages per product id of the row sent third. */
export function entryIssuesByProduct(errors: readonly { path: string; message: string }[], order: readonly string[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const e of errors) {
    const m = /^(?:body\.)?entries\.(\d+)(?:\.(.+))?$/.exec(e.path);
    const productId = m ? order[Number(m[1])] : undefined;
    if (!productId) continue;
    const where = m![2] ? `${m![2]}: ` : '';
    out.set(productId, [...(out.get(productId) ?? []), `${where}${e.message}`]);
  }
  return out;
}
