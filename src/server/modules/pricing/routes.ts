import type { ApiRouter } from '../../platform/http.ts';
import { COMPANY_TIME_ZONE } from '../org/service.ts';
import { CEL_CONTEXT_FIELDS } from './cel-context.ts';
import {
  CelContextList,
  CreateRuleBody,
  IdParams,
  ListRulesQuery,
  PublishResult,
  Rule,
  RuleCheck,
  RuleImportBody,
  RuleImportReport,
  RulePage,
  RuleVersionBody,
  SaveDraftBody,
  WhatIfBody,
  WhatIfResult,
} from './contract.ts';
import { PricingPermissions } from './permissions.ts';
import { assertCan } from '../../platform/access.ts';
import { archiveRule, checkRule, createRule, getRule, listRules, publishRule, saveDraft } from './rule-service.ts';
import { exportRulesXlsx, importRulesXlsx } from './rule-transfer-service.ts';
import { priceWhatIf } from './what-if-service.ts';
import { BinaryBody, XLSX_MIME } from '../catalog/routes.ts';

const tags = ['pricing'];

/** Pricing rules (versions, publish with analysis), the documented CEL context, the what-if tester. */
export function registerPricingRoutes(router: ApiRouter): void {
  router.route({
    method: 'GET',
    url: '/api/v1/pricing/context',
    summary: 'The fields rule conditions may read (CEL), with types and descriptions',
    tags,
    response: CelContextList,
    handler: async (ctx) => {
      assertCan(ctx.actor, PricingPermissions['pricing.rules.read']);
      return { items: CEL_CONTEXT_FIELDS.map((f) => ({ ...f })), timeZone: COMPANY_TIME_ZONE };
    },
  });
  router.route({
    method: 'GET',
    url: '/api/v1/pricing/rules',
    summary: 'Pricing rules by code (status, has draft, text), cursor-paginated',
    tags,
    query: ListRulesQuery,
    response: RulePage,
    handler: (ctx, { query }) => listRules(ctx, query),
  });
  router.route({
    method: 'GET',
    url: '/api/v1/pricing/rules/export.xlsx',
    summary: 'Every active rule (its newest version) as a workbook (sheets Rules and Tiers)',
    tags,
    response: BinaryBody,
    handler: async (ctx, _input, _req, reply) => {
      const file = await exportRulesXlsx(ctx);
      void reply.header('content-type', XLSX_MIME).header('content-disposition', `attachment; filename="${file.filename}"`);
      return file.content;
    },
  });
  router.route({
    method: 'POST',
    url: '/api/v1/pricing/rules/import',
    summary: 'Import a rules workbook: dry run reports every row; otherwise all-or-nothing, creating draft versions',
    tags,
    body: RuleImportBody,
    response: RuleImportReport,
    handler: (ctx, { body }) => importRulesXlsx(ctx, body),
  });
  router.route({
    method: 'GET',
    url: '/api/v1/pricing/rules/:id',
    summary: 'One pricing rule with all its versions',
    tags,
    params: IdParams,
    response: Rule,
    handler: (ctx, { params }) => getRule(ctx, params.id),
  });
  router.route({
    method: 'POST',
    url: '/api/v1/pricing/rules',
    summary: 'Create a rule as draft v1 (compiled at save: 422 with every problem, CEL with line and column)',
    tags,
    idempotent: true,
    body: CreateRuleBody,
    response: Rule,
    handler: (ctx, { body }) => createRule(ctx, body),
  });
  router.route({
    method: 'PATCH',
    url: '/api/v1/pricing/rules/:id/draft',
    summary: 'Save the draft; on a published rule, start the next version as a draft (the published one never changes)',
    tags,
    params: IdParams,
    body: SaveDraftBody,
    response: Rule,
    handler: (ctx, { params, body }) => saveDraft(ctx, params.id, body),
  });
  router.route({
    method: 'POST',
    url: '/api/v1/pricing/rules/:id/check',
    summary: 'Overlap and shadow analysis of the draft against the published rules, without publishing',
    tags,
    params: IdParams,
    response: RuleCheck,
    handler: (ctx, { params }) => checkRule(ctx, params.id),
  });
  router.route({
    method: 'POST',
    url: '/api/v1/pricing/rules/:id/publish',
    summary: 'Publish the draft (version); returns the overlap and shadow analysis',
    tags,
    params: IdParams,
    body: RuleVersionBody,
    response: PublishResult,
    handler: (ctx, { params, body }) => publishRule(ctx, params.id, body),
  });
  router.route({
    method: 'POST',
    url: '/api/v1/pricing/rules/:id/archive',
    summary: 'Archive a rule (version); it stops applying, its versions are kept',
    tags,
    params: IdParams,
    body: RuleVersionBody,
    response: Rule,
    handler: (ctx, { params, body }) => archiveRule(ctx, params.id, body),
  });
  router.route({
    method: 'POST',
    url: '/api/v1/pricing/what-if',
    summary: 'Price sample lines against the published rules (and chosen drafts); returns explanations, nothing stored',
    tags,
    body: WhatIfBody,
    response: WhatIfResult,
    handler: (ctx, { body }) => priceWhatIf(ctx, body),
  });
}
