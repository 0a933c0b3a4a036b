import { AppError, type FieldError, PlatformErrors, defineErrors } from '../../platform/errors.ts';
import { ForecastError } from './forecast.ts';
import { PipelineError } from './pipeline.ts';

/**
 * Problems of pipelines, opportunities and forecasts. The pipeline rules (pipeline.ts) throw their
 * own PipelineError with the same `crm.*` codes; toCrmProblem turns one into the API's problem.
 */
export const OpportunityErrors = defineErrors('crm', {
  invalid_pipeline: { status: 422 },
  unknown_stage: { status: 422 },
  stage_transition_not_allowed: { status: 422 },
  loss_reason_required: { status: 422 },
  forecast_override_not_allowed: { status: 422 },
  no_exchange_rate: { status: 422 },
  stage_in_use: { status: 409 },
  deal_closed: { status: 409 },
});

/** Where a pipeline rule's failure points in the request body. */
const PIPELINE_PATHS: Partial<Record<PipelineError['code'], string>> = {
  'crm.unknown_stage': 'stageKey',
  'crm.stage_transition_not_allowed': 'stageKey',
  'crm.loss_reason_required': 'lossReason',
  'crm.forecast_override_not_allowed': 'forecastCategoryOverride',
};

const PIPELINE_MESSAGES: Partial<Record<PipelineError['code'], string>> = {
  'crm.unknown_stage': 'v:unknown_stage',
  'crm.stage_transition_not_allowed': 'v:stage_transition',
  'crm.loss_reason_required': 'v:required',
  'crm.forecast_override_not_allowed': 'v:forecast_override',
};

/**
 * A pure rule's failure as the API's problem; anything else is rethrown unchanged.
 * `definitionPath` prefixes the issues of an invalid definition ("definition.stages.2.key").
 */
export function toCrmProblem(err: unknown, definitionPath = 'definition'): unknown {
  if (err instanceof PipelineError) {
    if (err.code === 'crm.invalid_pipeline') {
      const errors: FieldError[] = err.issues.map((i) => ({ path: i.path ? `${definitionPath}.${i.path}` : definitionPath, message: i.message }));
      return new AppError(OpportunityErrors.invalid_pipeline, { params: { count: errors.length }, errors, cause: err });
    }
    const path = PIPELINE_PATHS[err.code];
    const message = PIPELINE_MESSAGES[err.code];
    if (path && message) {
      return new AppError(err.code, { params: { ...err.params }, errors: [{ path, message }], cause: err });
    }
    return err;
  }
  if (err instanceof ForecastError && (err.code === 'crm.invalid_period_key' || err.code === 'crm.invalid_date' || err.code === 'crm.period_range')) {
    return new AppError(PlatformErrors.validation, { params: { count: 1 }, errors: [{ path: 'query.period', message: 'v:period' }], cause: err });
  }
  return err;
}

/** Run a pure rule, turning its failure into the API's problem. */
export function rule<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw toCrmProblem(err);
  }
}
