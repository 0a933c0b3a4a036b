import { lazy } from 'react';
import type { RouteObject } from 'react-router-dom';

const PipelinePage = lazy(async () => ({ default: (await import('./pipeline-page.tsx')).PipelinePage }));

/** The CRM's deal-side pages: pipeline (kanban and table), forecast, import. */
export const pipelineRoutes: RouteObject[] = [{ path: 'crm/pipeline', element: <PipelinePage /> }];
