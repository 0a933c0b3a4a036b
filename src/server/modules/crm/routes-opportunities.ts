import { registerEntityReader } from '../../platform/admin-routes.ts';
import { withCustomFieldFilters } from './custom-field-contract.ts';
import type { ApiRouter } from '../../platform/http.ts';
import {
  canReadForecastSubmission,
  createForecastSubmission,
  getForecast,
  getPipelineAnalytics,
  getPipelineSummary,
  listForecastSubmissions,
} from './forecast-service.ts';
import {
  ChangeStageBody,
  CreateForecastSubmissionBody,
  CreateOpportunityBody,
  CreatePipelineBody,
  Forecast,
  ForecastQuery,
  ForecastSubmission,
  ForecastSubmissionList,
  ForecastSubmissionsQuery,
  IdParams,
  ListOpportunitiesQuery,
  ListPipelinesQuery,
  OpportunityDetail,
  OpportunityHistory,
  OpportunityPage,
  Pipeline,
  PipelineAnalytics,
  PipelineAnalyticsQuery,
  PipelineList,
  PipelineSummary,
  PipelineSummaryQuery,
  UpdateOpportunityBody,
  UpdatePipelineBody,
} from './opportunity-contract.ts';
import {
  changeStage,
  createOpportunity,
  getOpportunity,
  getOpportunityHistory,
  listOpportunities,
  updateOpportunity,
} from './opportunity-service.ts';
import { canReadPipeline, createPipeline, getPipeline, listPipelines, updatePipeline } from './pipeline-service.ts';

const tags = ['crm'];

/** Pipelines, opportunities, stage history, pipeline summary, forecast and funnel analytics. */
export function registerOpportunityRoutes(router: ApiRouter): void {
  // The audit history of these records follows the same rule as reading them ('opportunity' is registered in modules/index.ts).
  registerEntityReader('pipeline', canReadPipeline);
  registerEntityReader('forecast_submission', canReadForecastSubmission);

  router.route({
    method: 'GET',
    url: '/api/v1/crm/pipelines',
    summary: 'Sales pipelines (active ones unless includeInactive=true)',
    tags,
    query: ListPipelinesQuery,
    response: PipelineList,
    handler: (ctx, { query }) => listPipelines(ctx, query),
  });

  router.route({
    method: 'GET',
    url: '/api/v1/crm/pipelines/:id',
    summary: 'One pipeline with its stages and transitions',
    tags,
    params: IdParams,
    response: Pipeline,
    handler: (ctx, { params }) => getPipeline(ctx, params.id),
  });

  router.route({
    method: 'POST',
    url: '/api/v1/crm/pipelines',
    summary: 'Create a pipeline (admin)',
    tags,
    body: CreatePipelineBody,
    response: Pipeline,
    idempotent: true,
    handler: (ctx, { body }) => createPipeline(ctx, body),
  });

  router.route({
    method: 'PATCH',
    url: '/api/v1/crm/pipelines/:id',
    summary: 'Change a pipeline (admin); a stage that still holds deals cannot be removed',
    tags,
    params: IdParams,
    body: UpdatePipelineBody,
    response: Pipeline,
    handler: (ctx, { params, body }) => updatePipeline(ctx, params.id, body),
  });

  router.route({
    method: 'GET',
    url: '/api/v1/crm/opportunities',
    summary: 'Opportunities the caller can see, filtered on indexed fields, in a stable keyset order',
    tags,
    query: withCustomFieldFilters(ListOpportunitiesQuery),
    response: OpportunityPage,
    handler: (ctx, { query }) => listOpportunities(ctx, query),
  });

  router.route({
    method: 'POST',
    url: '/api/v1/crm/opportunities',
    summary: 'Create an opportunity',
    tags,
    body: CreateOpportunityBody,
    response: OpportunityDetail,
    idempotent: true,
    handler: (ctx, { body }) => createOpportunity(ctx, body),
  });

  router.route({
    method: 'GET',
    url: '/api/v1/crm/opportunities/:id',
    summary: 'One opportunity with its contact roles',
    tags,
    params: IdParams,
    response: OpportunityDetail,
    handler: (ctx, { params }) => getOpportunity(ctx, params.id),
  });

  router.route({
    method: 'PATCH',
    url: '/api/v1/crm/opportunities/:id',
    summary: 'Change an opportunity (version required; a stage change is validated by its pipeline)',
    tags,
    params: IdParams,
    body: UpdateOpportunityBody,
    response: OpportunityDetail,
    handler: (ctx, { params, body }) => updateOpportunity(ctx, params.id, body),
  });

  router.route({
    method: 'POST',
    url: '/api/v1/crm/opportunities/:id/stage',
    summary: 'Move an opportunity to another stage (the kanban drag)',
    tags,
    params: IdParams,
    body: ChangeStageBody,
    response: OpportunityDetail,
    handler: (ctx, { params, body }) => changeStage(ctx, params.id, body),
  });

  router.route({
    method: 'GET',
    url: '/api/v1/crm/opportunities/:id/stage-history',
    summary: "An opportunity's stage changes and the time it spent in each stage",
    tags,
    params: IdParams,
    response: OpportunityHistory,
    handler: (ctx, { params }) => getOpportunityHistory(ctx, params.id),
  });

  router.route({
    method: 'GET',
    url: '/api/v1/crm/pipeline-summary',
    summary: 'Per stage: count, amount and weighted amount of the visible deals (company currency)',
    tags,
    query: PipelineSummaryQuery,
    response: PipelineSummary,
    handler: (ctx, { query }) => getPipelineSummary(ctx, query),
  });

  router.route({
    method: 'GET',
    url: '/api/v1/crm/pipeline-analytics',
    summary: 'Funnel conversion and time in stage of the deals created in a period',
    tags,
    query: PipelineAnalyticsQuery,
    response: PipelineAnalytics,
    handler: (ctx, { query }) => getPipelineAnalytics(ctx, query),
  });

  router.route({
    method: 'GET',
    url: '/api/v1/crm/forecast',
    summary: 'Forecast of a fiscal period by org level (rep → team → department → business group) and category',
    tags,
    query: ForecastQuery,
    response: Forecast,
    handler: (ctx, { query }) => getForecast(ctx, query),
  });

  router.route({
    method: 'POST',
    url: '/api/v1/crm/forecast/submissions',
    summary: "Submit a unit's forecast for a period: a snapshot with an adjustment and a comment",
    tags,
    body: CreateForecastSubmissionBody,
    response: ForecastSubmission,
    idempotent: true,
    handler: (ctx, { body }) => createForecastSubmission(ctx, body),
  });

  router.route({
    method: 'GET',
    url: '/api/v1/crm/forecast/submissions',
    summary: "A unit's forecast submissions for a period, newest first, with the week-over-week change",
    tags,
    query: ForecastSubmissionsQuery,
    response: ForecastSubmissionList,
    handler: (ctx, { query }) => listForecastSubmissions(ctx, query),
  });
}
