import { type InfiniteData, useInfiniteQuery, useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback } from 'react';
import type { Opportunity, OpportunityPage, Pipeline } from '../../../../server/modules/crm/opportunity-contract.ts';
import type { PipelineStage } from '../../../../server/modules/crm/pipeline.ts';
import type { Locale } from '../../../../shared/i18n/resources.ts';
import { type OpportunityFilters, pipelineApi, pipelineKeys } from './pipeline-api.ts';

export const DEALS_PAGE_SIZE = 100;

export function usePipelines() {
  return useQuery({ queryKey: pipelineKeys.pipelines, queryFn: ({ signal }) => pipelineApi.pipelines(signal), staleTime: 5 * 60_000 });
}

/** The pipeline on screen: the one asked for, else the default, else the first. */
export function pickPipeline(pipelines: readonly Pipeline[] | undefined, id: string | null): Pipeline | undefined {
  if (!pipelines || pipelines.length === 0) return undefined;
  return pipelines.find((p) => p.id === id) ?? pipelines.find((p) => p.isDefault) ?? pipelines[0];
}

export function useOpportunityList(filters: OpportunityFilters, enabled = true) {
  return useInfiniteQuery({
    enabled,
    queryKey: [...pipelineKeys.opportunities(filters), DEALS_PAGE_SIZE],
    queryFn: ({ pageParam, signal }) => pipelineApi.opportunities({ ...filters, limit: DEALS_PAGE_SIZE, cursor: pageParam }, signal),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
}

export function useOpportunity(id: string | null | undefined) {
  return useQuery({ queryKey: pipelineKeys.opportunity(id ?? ''), queryFn: ({ signal }) => pipelineApi.opportunity(id!, signal), enabled: !!id });
}

export function useStageHistory(id: string | null | undefined) {
  return useQuery({ queryKey: pipelineKeys.history(id ?? ''), queryFn: ({ signal }) => pipelineApi.history(id!, signal), enabled: !!id });
}

/** Put a changed deal into every loaded list page and its detail, then refresh the figures that depend on it. */
export function useDealChanged(): (deal: Opportunity) => void {
  const client = useQueryClient();
  return useCallback(
    (deal: Opportunity) => {
      client.setQueriesData<InfiniteData<OpportunityPage>>({ queryKey: pipelineKeys.allOpportunities }, (data) =>
        data ? { ...data, pages: data.pages.map((p) => ({ ...p, items: p.items.map((d) => (d.id === deal.id ? { ...d, ...deal } : d)) })) } : data,
      );
      void client.invalidateQueries({ queryKey: pipelineKeys.opportunity(deal.id) });
      void client.invalidateQueries({ queryKey: pipelineKeys.history(deal.id) });
      void client.invalidateQueries({ queryKey: ['crm-deals', 'summary'] });
      void client.invalidateQueries({ queryKey: ['crm-deals', 'analytics'] });
    },
    [client],
  );
}

export function stageLabel(stage: Pick<PipelineStage, 'name'> | undefined, key: string, locale: Locale): string {
  if (!stage) return key;
  return locale === 'en' ? stage.name.en : stage.name.zh;
}

export function pipelineLabel(p: Pick<Pipeline, 'nameZh' | 'nameEn'>, locale: Locale): string {
  return locale === 'en' && p.nameEn ? p.nameEn : p.nameZh;
}
