import type { ApiRouter } from '../../platform/http.ts';
import {
  CreateCustomFieldBody,
  CustomFieldDefinitionDto,
  CustomFieldDefinitionList,
  CustomFieldIdParams,
  CustomFieldVersionBody,
  ListCustomFieldsQuery,
  UpdateCustomFieldBody,
} from './custom-field-contract.ts';
import { createCustomField, getCustomField, listCustomFields, setCustomFieldArchived, updateCustomField } from './custom-field-service.ts';

const tags = ['crm'];

/** Custom-field definitions of accounts, contacts and opportunities. */
export function registerCustomFieldRoutes(router: ApiRouter): void {
  router.route({
    method: 'GET',
    url: '/api/v1/crm/custom-fields',
    summary: 'Custom-field definitions (everyone who reads the CRM), in form order',
    tags,
    query: ListCustomFieldsQuery,
    response: CustomFieldDefinitionList,
    handler: (ctx, { query }) => listCustomFields(ctx, query),
  });
  router.route({
    method: 'GET',
    url: '/api/v1/crm/custom-fields/:id',
    summary: 'One custom-field definition',
    tags,
    params: CustomFieldIdParams,
    response: CustomFieldDefinitionDto,
    handler: (ctx, { params }) => getCustomField(ctx, params.id),
  });
  router.route({
    method: 'POST',
    url: '/api/v1/crm/custom-fields',
    summary: 'Define a custom field (admins; 409 when the key is taken)',
    tags,
    idempotent: true,
    body: CreateCustomFieldBody,
    response: CustomFieldDefinitionDto,
    handler: (ctx, { body }) => createCustomField(ctx, body),
  });
  router.route({
    method: 'PATCH',
    url: '/api/v1/crm/custom-fields/:id',
    summary: 'Relabel, reorder or add options to a custom field (admins; key, type and currency are fixed)',
    tags,
    params: CustomFieldIdParams,
    body: UpdateCustomFieldBody,
    response: CustomFieldDefinitionDto,
    handler: (ctx, { params, body }) => updateCustomField(ctx, params.id, body),
  });
  router.route({
    method: 'POST',
    url: '/api/v1/crm/custom-fields/:id/archive',
    summary: 'Archive a custom field: hidden from forms, values kept on the records',
    tags,
    params: CustomFieldIdParams,
    body: CustomFieldVersionBody,
    response: CustomFieldDefinitionDto,
    handler: (ctx, { params, body }) => setCustomFieldArchived(ctx, params.id, body, true),
  });
  router.route({
    method: 'POST',
    url: '/api/v1/crm/custom-fields/:id/restore',
    summary: 'Restore an archived custom field with its stored values',
    tags,
    params: CustomFieldIdParams,
    body: CustomFieldVersionBody,
    response: CustomFieldDefinitionDto,
    handler: (ctx, { params, body }) => setCustomFieldArchived(ctx, params.id, body, false),
  });
}
