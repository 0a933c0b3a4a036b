import type { ApiRouter } from '../../platform/http.ts';
import { ContractDetail, ContractPage, CreateAmendmentBody, IdParams, ListContractsQuery } from './contract.ts';
import { createAmendment, getContract, listContracts } from './service.ts';

const tags = ['contracts'];

/** Contracts signed from accepted quotes: list, read with amendments, amend. Signing happens in the quotes' acceptance. */
export function registerContractRoutes(router: ApiRouter): void {
  router.route({
    method: 'GET',
    url: '/api/v1/contracts',
    summary: 'Contracts the caller can see, newest first (by account, deal, owner or status; cursor)',
    tags,
    query: ListContractsQuery,
    response: ContractPage,
    handler: (ctx, { query }) => listContracts(ctx, query),
  });

  router.route({
    method: 'GET',
    url: '/api/v1/contracts/:id',
    summary: 'One contract with its lines, totals, billing schedule and amendments',
    tags,
    params: IdParams,
    response: ContractDetail,
    handler: (ctx, { params }) => getContract(ctx, params.id),
  });

  router.route({
    method: 'POST',
    url: '/api/v1/contracts/:id/amendments',
    summary: 'Amend a signed contract (lines, billing plan, end date, status); installments already due are kept',
    tags,
    params: IdParams,
    body: CreateAmendmentBody,
    response: ContractDetail,
    status: 201,
    idempotent: true,
    handler: (ctx, { params, body }) => createAmendment(ctx, params.id, body),
  });
}
