import { z } from 'zod';
import type { ApiRouter } from '../../platform/http.ts';
import { acceptQuoteVersion } from './acceptance-service.ts';
import {
  AcceptVersionBody,
  AcceptedQuote,
  ApprovalPolicyDto,
  ApprovalPreview,
  ApprovalRequestDetail,
  ApprovalRequestPage,
  ApproveBody,
  CreateDelegationBody,
  DeleteDelegationQuery,
  Delegation,
  DelegationList,
  ListApprovalsQuery,
  PdfQuery,
  PricePreview,
  PricePreviewBody,
  RecallBody,
  RejectBody,
  SubmitVersionBody,
  UpdateApprovalPolicyBody,
} from './approval-contract.ts';
import {
  approveRequest,
  createDelegation,
  deleteDelegation,
  getApprovalPolicy,
  getApprovalRequest,
  listApprovalRequests,
  listDelegations,
  previewApproval,
  recallRequest,
  rejectRequest,
  submitQuoteVersion,
  updateApprovalPolicy,
} from './approval-service.ts';
import { getQuotePdf } from './document-service.ts';
import {
  CreateQuoteBody,
  CreateQuoteVersionBody,
  IdParams,
  ExplanationQuery,
  ListQuotesQuery,
  QuoteDetail,
  QuoteExplanation,
  QuotePage,
  SendQuoteVersionBody,
  UpdateQuoteVersionBody,
} from './contract.ts';
import { createQuote, createQuoteVersion, getQuote, getVersionExplanation, listQuotes, previewQuotePricing, sendQuoteVersion, updateQuoteVersion } from './service.ts';

const PdfBody = z.instanceof(Buffer).meta({ description: 'PDF document' });
const Ok = z.object({ ok: z.literal(true) });

const tags = ['quotes'];

/**
 * Quotes of a deal and their versions: create, list, read, edit a draft, revise, send, explain;
 * approvals (policy, delegations, submit, approve, reject, recall, inbox); acceptance into a
 * contract; the PDF.
 */
export function registerQuoteRoutes(router: ApiRouter): void {
  router.route({
    method: 'POST',
    url: '/api/v1/quotes',
    summary: 'Create a quote (v1, priced) for a deal the caller can change',
    tags,
    body: CreateQuoteBody,
    response: QuoteDetail,
    status: 201,
    idempotent: true,
    handler: (ctx, { body }) => createQuote(ctx, body),
  });

  router.route({
    method: 'GET',
    url: '/api/v1/quotes',
    summary: 'Quotes the caller can see, newest first (by deal or owner; cursor)',
    tags,
    query: ListQuotesQuery,
    response: QuotePage,
    handler: (ctx, { query }) => listQuotes(ctx, query),
  });

  router.route({
    method: 'GET',
    url: '/api/v1/quotes/:id',
    summary: 'One quote with all its versions',
    tags,
    params: IdParams,
    response: QuoteDetail,
    handler: (ctx, { params }) => getQuote(ctx, params.id),
  });

  router.route({
    method: 'POST',
    url: '/api/v1/quotes/:id/versions',
    summary: 'Start the next version from the latest (required to change a sent or approved one)',
    tags,
    params: IdParams,
    body: CreateQuoteVersionBody,
    response: QuoteDetail,
    status: 201,
    idempotent: true,
    handler: (ctx, { params, body }) => createQuoteVersion(ctx, params.id, body),
  });

  router.route({
    method: 'PATCH',
    url: '/api/v1/quotes/versions/:id',
    summary: 'Change a draft version’s lines or header; re-priced on every save',
    tags,
    params: IdParams,
    body: UpdateQuoteVersionBody,
    response: QuoteDetail,
    handler: (ctx, { params, body }) => updateQuoteVersion(ctx, params.id, body),
  });

  router.route({
    method: 'POST',
    url: '/api/v1/quotes/versions/:id/send',
    summary: 'Send a draft version (it is frozen; earlier sent versions are superseded)',
    tags,
    params: IdParams,
    body: SendQuoteVersionBody,
    response: QuoteDetail,
    handler: (ctx, { params, body }) => sendQuoteVersion(ctx, params.id, body),
  });

  router.route({
    method: 'GET',
    url: '/api/v1/quotes/versions/:id/explanation',
    summary: 'Every line’s price explanation and rule versions, as priced when the version was saved (one line with `lineId`)',
    tags,
    params: IdParams,
    query: ExplanationQuery,
    response: QuoteExplanation,
    handler: (ctx, { params, query }) => getVersionExplanation(ctx, params.id, query.lineId),
  });

  router.route({
    method: 'POST',
    url: '/api/v1/quotes/price-preview',
    summary: 'Price lines as a save would, without saving (the editor’s live prices)',
    tags,
    body: PricePreviewBody,
    response: PricePreview,
    handler: (ctx, { body }) => previewQuotePricing(ctx, body),
  });

  router.route({
    method: 'GET',
    url: '/api/v1/quotes/versions/:id/pdf',
    summary: 'The version as a PDF in zh-CN or en (a frozen version is rendered once and kept)',
    tags,
    params: IdParams,
    query: PdfQuery,
    response: PdfBody,
    handler: async (ctx, { params, query }, _req, reply) => {
      const file = await getQuotePdf(ctx, params.id, query);
      const disposition = query.download === '1' ? 'attachment' : 'inline';
      void reply
        .header('content-type', 'application/pdf')
        .header('content-disposition', `${disposition}; filename="${file.fileName}"`)
        .header('etag', `"${file.sha256}"`)
        .header('cache-control', file.isDraft ? 'no-store' : 'private, max-age=0, must-revalidate');
      return file.bytes;
    },
  });

  // ── Approvals ──

  router.route({
    method: 'GET',
    url: '/api/v1/quotes/approval-policy',
    summary: 'The approval policy: thresholds on quote metrics → required levels',
    tags,
    response: ApprovalPolicyDto,
    handler: (ctx) => getApprovalPolicy(ctx),
  });

  router.route({
    method: 'PUT',
    url: '/api/v1/quotes/approval-policy',
    summary: 'Replace the approval policy’s rules (requests already submitted keep theirs)',
    tags,
    body: UpdateApprovalPolicyBody,
    response: ApprovalPolicyDto,
    handler: (ctx, { body }) => updateApprovalPolicy(ctx, body),
  });

  router.route({
    method: 'GET',
    url: '/api/v1/quotes/approval-delegations',
    summary: 'Delegations not yet ended: the caller’s own, or all for policy editors',
    tags,
    response: DelegationList,
    handler: (ctx) => listDelegations(ctx),
  });

  router.route({
    method: 'POST',
    url: '/api/v1/quotes/approval-delegations',
    summary: 'Let someone approve for an approver who is away (dates inclusive)',
    tags,
    body: CreateDelegationBody,
    response: Delegation,
    status: 201,
    idempotent: true,
    handler: (ctx, { body }) => createDelegation(ctx, body),
  });

  router.route({
    method: 'DELETE',
    url: '/api/v1/quotes/approval-delegations/:id',
    summary: 'End a delegation',
    tags,
    params: IdParams,
    query: DeleteDelegationQuery,
    response: Ok,
    handler: async (ctx, { params, query }) => {
      await deleteDelegation(ctx, params.id, query.version);
      return { ok: true as const };
    },
  });

  router.route({
    method: 'GET',
    url: '/api/v1/quotes/versions/:id/approval-preview',
    summary: 'What submitting this version would need: steps, their reasons and approvers',
    tags,
    params: IdParams,
    response: ApprovalPreview,
    handler: (ctx, { params }) => previewApproval(ctx, params.id),
  });

  router.route({
    method: 'POST',
    url: '/api/v1/quotes/versions/:id/submit',
    summary: 'Submit a draft for approval (approved at once when the policy requires nothing)',
    tags,
    params: IdParams,
    body: SubmitVersionBody,
    response: QuoteDetail,
    status: 200,
    idempotent: true,
    handler: (ctx, { params, body }) => submitQuoteVersion(ctx, params.id, body),
  });

  router.route({
    method: 'GET',
    url: '/api/v1/quotes/approvals',
    summary: 'Approval requests, newest first; mine=true is the inbox',
    tags,
    query: ListApprovalsQuery,
    response: ApprovalRequestPage,
    handler: (ctx, { query }) => listApprovalRequests(ctx, query),
  });

  router.route({
    method: 'GET',
    url: '/api/v1/quotes/approvals/:id',
    summary: 'One request: steps, decisions, the lines and what changed since the last approval',
    tags,
    params: IdParams,
    response: ApprovalRequestDetail,
    handler: (ctx, { params }) => getApprovalRequest(ctx, params.id),
  });

  router.route({
    method: 'POST',
    url: '/api/v1/quotes/approvals/:id/approve',
    summary: 'Approve the current step (its approvers or their delegates only)',
    tags,
    params: IdParams,
    body: ApproveBody,
    response: ApprovalRequestDetail,
    handler: (ctx, { params, body }) => approveRequest(ctx, params.id, body),
  });

  router.route({
    method: 'POST',
    url: '/api/v1/quotes/approvals/:id/reject',
    summary: 'Reject the current step with a comment; the version is rejected',
    tags,
    params: IdParams,
    body: RejectBody,
    response: ApprovalRequestDetail,
    handler: (ctx, { params, body }) => rejectRequest(ctx, params.id, body),
  });

  router.route({
    method: 'POST',
    url: '/api/v1/quotes/approvals/:id/recall',
    summary: 'The submitter withdraws a pending request; the version is a draft again',
    tags,
    params: IdParams,
    body: RecallBody,
    response: ApprovalRequestDetail,
    handler: (ctx, { params, body }) => recallRequest(ctx, params.id, body),
  });

  // ── Acceptance ──

  router.route({
    method: 'POST',
    url: '/api/v1/quotes/versions/:id/accept',
    summary: 'The customer accepted this version: a contract is signed and the deal closed-won',
    tags,
    params: IdParams,
    body: AcceptVersionBody,
    response: AcceptedQuote,
    status: 200,
    idempotent: true,
    handler: (ctx, { params, body }) => acceptQuoteVersion(ctx, params.id, body),
  });
}
