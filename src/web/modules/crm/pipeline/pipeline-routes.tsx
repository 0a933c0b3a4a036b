import { lazy } from 'react';
import type { RouteObject } from 'react-router-dom';

const PipelinePage = lazy(async () => ({ default: (await import('./pipeline-page.tsx')).PipelinePage }));
const OpportunityPage = lazy(async () => ({ default: (await import('./opportunity-page.tsx')).OpportunityPage }));
const ForecastPage = lazy(async () => ({ default: (await import('./forecast-page.tsx')).ForecastPage }));
const ImportPage = lazy(async () => ({ default: (await import('./import-page.tsx')).ImportPage }));

/** The CRM's deal-side pages: pipeline (kanban, table, charts), one opportunity, forecast, import. */
export const pipelineRoutes: RouteObject[] = [
  { path: 'crm/pipeline', element: <PipelinePage /> },
  { path: 'crm/opportunities/:id', element: <OpportunityPage /> },
  { path: 'crm/forecast', element: <ForecastPage /> },
  { path: 'crm/import', element: <ImportPage /> },
];
