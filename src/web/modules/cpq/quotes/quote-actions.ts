import type { QuoteVersionStatus } from '../../../../server/modules/quotes/contract.ts';

/**
 * What a version offers, by its status. The server decides (409 when a version moved on); the
 * screen only offers what can succeed now, so a rep is never shown "send" on a frozen version.
 */
export type VersionAction = 'save' | 'submit' | 'send' | 'recall' | 'newVersion' | 'accept' | 'contract';

export interface VersionActionInput {
  status: QuoteVersionStatus;
  /** The quote's highest version number is this one. */
  isLatest: boolean;
  /** The caller may write this quote (quotes.write in scope). */
  canWrite: boolean;
  /** The quote is still open (not accepted, not closed). */
  isQuoteOpen: boolean;
  /** From the live price preview of a draft: does a submit need approvers? Unknown while loading. */
  approvalRequired?: boolean | undefined;
  /** The caller submitted the pending approval request of this version. */
  canRecall?: boolean | undefined;
}

export function listVersionActions(v: VersionActionInput): VersionAction[] {
  if (v.status === 'accepted') return ['contract'];
  if (!v.canWrite || !v.isQuoteOpen) return [];
  const actions: VersionAction[] = [];
  switch (v.status) {
    case 'draft':
      actions.push('save', 'submit');
      // A draft needing approval is submitted first; one that needs none may go straight out.
      if (v.approvalRequired === false) actions.push('send');
      break;
    case 'in_approval':
      if (v.canRecall) actions.push('recall');
      break;
    case 'approved':
      // The customer may sign an approved version before it was formally sent.
      actions.push('send', 'accept');
      break;
    case 'sent':
      actions.push('accept');
      break;
    case 'rejected':
    case 'superseded':
      break;
  }
  // A change to anything frozen is a new version; a draft is edited instead.
  if (v.isLatest && (v.status === 'approved' || v.status === 'sent' || v.status === 'rejected')) actions.push('newVersion');
  return actions;
}

/** antd Tag colours per version status. */
export const VERSION_STATUS_COLORS: Record<QuoteVersionStatus, string> = {
  draft: 'default',
  in_approval: 'processing',
  approved: 'cyan',
  rejected: 'error',
  sent: 'blue',
  accepted: 'success',
  superseded: 'default',
};

/** Is the version's content still changing (its prices come from the editor, not the snapshot)? */
export function isEditable(status: QuoteVersionStatus): boolean {
  return status === 'draft';
}
