import type { ApiRouter } from '../../platform/http.ts';
import {
  Account,
  AccountCoverageGaps,
  AccountGapsQuery,
  AccountHierarchy,
  AccountPage,
  AddTeamMemberBody,
  ArchiveAccountBody,
  BookGapsPage,
  BookGapsQuery,
  Contact,
  ContactPage,
  CoverageLink,
  CoverageList,
  CreateAccountBody,
  CreateContactBody,
  CreateCoverageBody,
  CreateCustomerGroupBody,
  CustomerGroup,
  CustomerGroupTree,
  GroupRollup,
  IdParams,
  ListAccountsQuery,
  ListContactsQuery,
  Ok,
  RelationshipMap,
  RelationshipMapQuery,
  TeamList,
  TeamMember,
  TeamMemberParams,
  UpdateAccountBody,
  UpdateContactBody,
  UpdateCoverageBody,
  UpdateCustomerGroupBody,
  UpdateTeamMemberBody,
  VersionQuery,
} from './account-contract.ts';
import {
  addTeamMember,
  createAccount,
  getAccount,
  getGroupRollup,
  getHierarchy,
  listAccounts,
  listTeam,
  removeTeamMember,
  setAccountArchived,
  updateAccount,
  updateTeamMember,
} from './account-service.ts';
import { createContact, getContact, listContacts, updateContact } from './contact-service.ts';
import {
  createCoverage,
  deleteCoverage,
  getAccountCoverageGaps,
  getRelationshipMap,
  listBookCoverageGaps,
  listCoverage,
  updateCoverage,
} from './coverage-service.ts';
import { withCustomFieldFilters } from './custom-field-contract.ts';
import { createCustomerGroup, getCustomerGroup, listCustomerGroups, updateCustomerGroup } from './customer-group-service.ts';

const tags = ['crm'];
const ok = { ok: true as const };

/** Accounts, customer groups, account teams, contacts, coverage and the relationship map. */
export function registerAccountRoutes(router: ApiRouter): void {
  // ── Customer groups ──
  router.route({
    method: 'GET',
    url: '/api/v1/crm/customer-groups',
    summary: 'Customer groups as a tree (reference data for pricing rules and reports)',
    tags,
    response: CustomerGroupTree,
    handler: (ctx) => listCustomerGroups(ctx),
  });
  router.route({
    method: 'GET',
    url: '/api/v1/crm/customer-groups/:id',
    summary: 'One customer group',
    tags,
    params: IdParams,
    response: CustomerGroup,
    handler: (ctx, { params }) => getCustomerGroup(ctx, params.id),
  });
  router.route({
    method: 'POST',
    url: '/api/v1/crm/customer-groups',
    summary: 'Create a customer group (admins)',
    tags,
    idempotent: true,
    body: CreateCustomerGroupBody,
    response: CustomerGroup,
    handler: (ctx, { body }) => createCustomerGroup(ctx, body),
  });
  router.route({
    method: 'PATCH',
    url: '/api/v1/crm/customer-groups/:id',
    summary: 'Rename or move a customer group (admins; 422 on a cycle)',
    tags,
    params: IdParams,
    body: UpdateCustomerGroupBody,
    response: CustomerGroup,
    handler: (ctx, { params, body }) => updateCustomerGroup(ctx, params.id, body),
  });

  // ── Accounts ──
  router.route({
    method: 'GET',
    url: '/api/v1/crm/accounts',
    summary: 'Accounts visible to me (scope or account team), filtered and sorted, cursor-paginated',
    tags,
    query: withCustomFieldFilters(ListAccountsQuery),
    response: AccountPage,
    handler: (ctx, { query }) => listAccounts(ctx, query),
  });
  router.route({
    method: 'POST',
    url: '/api/v1/crm/accounts',
    summary: 'Create an account (USCC checked and unique; 409 on a similar name unless confirmSimilar)',
    tags,
    idempotent: true,
    body: CreateAccountBody,
    response: Account,
    handler: (ctx, { body }) => createAccount(ctx, body),
  });
  router.route({
    method: 'GET',
    url: '/api/v1/crm/accounts/:id',
    summary: 'One account (404 outside my scope and teams)',
    tags,
    params: IdParams,
    response: Account,
    handler: (ctx, { params }) => getAccount(ctx, params.id),
  });
  router.route({
    method: 'PATCH',
    url: '/api/v1/crm/accounts/:id',
    summary: 'Update an account (version; a new owner moves its unit and becomes account lead)',
    tags,
    params: IdParams,
    body: UpdateAccountBody,
    response: Account,
    handler: (ctx, { params, body }) => updateAccount(ctx, params.id, body),
  });
  router.route({
    method: 'POST',
    url: '/api/v1/crm/accounts/:id/archive',
    summary: 'Archive an account: out of the lists, read-only',
    tags,
    params: IdParams,
    body: ArchiveAccountBody,
    response: Account,
    handler: (ctx, { params, body }) => setAccountArchived(ctx, params.id, body, true),
  });
  router.route({
    method: 'POST',
    url: '/api/v1/crm/accounts/:id/restore',
    summary: 'Restore an archived account',
    tags,
    params: IdParams,
    body: ArchiveAccountBody,
    response: Account,
    handler: (ctx, { params, body }) => setAccountArchived(ctx, params.id, body, false),
  });
  router.route({
    method: 'GET',
    url: '/api/v1/crm/accounts/:id/hierarchy',
    summary: "The account's group: ancestors and the subtree I can see",
    tags,
    params: IdParams,
    response: AccountHierarchy,
    handler: (ctx, { params }) => getHierarchy(ctx, params.id),
  });
  router.route({
    method: 'GET',
    url: '/api/v1/crm/accounts/:id/group-rollup',
    summary: 'Totals over the visible subtree: accounts by status, open pipeline, won revenue by year',
    tags,
    params: IdParams,
    response: GroupRollup,
    handler: (ctx, { params }) => getGroupRollup(ctx, params.id),
  });

  // ── Account team ──
  router.route({
    method: 'GET',
    url: '/api/v1/crm/accounts/:id/team',
    summary: 'The account team (members read the account and its contacts)',
    tags,
    params: IdParams,
    response: TeamList,
    handler: (ctx, { params }) => listTeam(ctx, params.id),
  });
  router.route({
    method: 'POST',
    url: '/api/v1/crm/accounts/:id/team',
    summary: 'Add a member to the account team',
    tags,
    params: IdParams,
    body: AddTeamMemberBody,
    status: 201,
    response: TeamMember,
    handler: (ctx, { params, body }) => addTeamMember(ctx, params.id, body),
  });
  router.route({
    method: 'PATCH',
    url: '/api/v1/crm/accounts/:id/team/:userId',
    summary: "Change a team member's role",
    tags,
    params: TeamMemberParams,
    body: UpdateTeamMemberBody,
    response: TeamMember,
    handler: (ctx, { params, body }) => updateTeamMember(ctx, params.id, params.userId, body),
  });
  router.route({
    method: 'DELETE',
    url: '/api/v1/crm/accounts/:id/team/:userId',
    summary: 'Remove a member from the account team (not the owner)',
    tags,
    params: TeamMemberParams,
    response: Ok,
    handler: async (ctx, { params }) => {
      await removeTeamMember(ctx, params.id, params.userId);
      return ok;
    },
  });

  // ── Contacts ──
  router.route({
    method: 'GET',
    url: '/api/v1/crm/accounts/:id/contacts',
    summary: "The account's contacts by level, then name",
    tags,
    params: IdParams,
    query: withCustomFieldFilters(ListContactsQuery),
    response: ContactPage,
    handler: (ctx, { params, query }) => listContacts(ctx, params.id, query),
  });
  router.route({
    method: 'POST',
    url: '/api/v1/crm/accounts/:id/contacts',
    summary: 'Add a contact to the account',
    tags,
    idempotent: true,
    params: IdParams,
    body: CreateContactBody,
    response: Contact,
    handler: (ctx, { params, body }) => createContact(ctx, params.id, body),
  });
  router.route({
    method: 'GET',
    url: '/api/v1/crm/contacts/:id',
    summary: 'One contact (visible when its account is)',
    tags,
    params: IdParams,
    response: Contact,
    handler: (ctx, { params }) => getContact(ctx, params.id),
  });
  router.route({
    method: 'PATCH',
    url: '/api/v1/crm/contacts/:id',
    summary: 'Update a contact (version; reporting line inside the account, no loops)',
    tags,
    params: IdParams,
    body: UpdateContactBody,
    response: Contact,
    handler: (ctx, { params, body }) => updateContact(ctx, params.id, body),
  });

  // ── Coverage and the relationship map ──
  router.route({
    method: 'GET',
    url: '/api/v1/crm/accounts/:id/coverage',
    summary: "The account's coverage links (our person ↔ their contact)",
    tags,
    params: IdParams,
    response: CoverageList,
    handler: (ctx, { params }) => listCoverage(ctx, params.id),
  });
  router.route({
    method: 'POST',
    url: '/api/v1/crm/accounts/:id/coverage',
    summary: 'Link one of our people to a contact (409 when the pair exists)',
    tags,
    idempotent: true,
    params: IdParams,
    body: CreateCoverageBody,
    response: CoverageLink,
    handler: (ctx, { params, body }) => createCoverage(ctx, params.id, body),
  });
  router.route({
    method: 'PATCH',
    url: '/api/v1/crm/coverage/:id',
    summary: "Change a coverage link's role or strength",
    tags,
    params: IdParams,
    body: UpdateCoverageBody,
    response: CoverageLink,
    handler: (ctx, { params, body }) => updateCoverage(ctx, params.id, body),
  });
  router.route({
    method: 'DELETE',
    url: '/api/v1/crm/coverage/:id',
    summary: 'Remove a coverage link',
    tags,
    params: IdParams,
    query: VersionQuery,
    response: Ok,
    handler: async (ctx, { params, query }) => {
      await deleteCoverage(ctx, params.id, query.version);
      return ok;
    },
  });
  router.route({
    method: 'GET',
    url: '/api/v1/crm/accounts/:id/relationship-map',
    summary: "The customer's org chart by level with our coverage overlaid",
    tags,
    params: IdParams,
    query: RelationshipMapQuery,
    response: RelationshipMap,
    handler: (ctx, { params, query }) => getRelationshipMap(ctx, params.id, query),
  });
  router.route({
    method: 'GET',
    url: '/api/v1/crm/accounts/:id/coverage-gaps',
    summary: "The account's exposed decision-makers: uncovered, junior-only, or untouched for staleDays",
    tags,
    params: IdParams,
    query: AccountGapsQuery,
    response: AccountCoverageGaps,
    handler: (ctx, { params, query }) => getAccountCoverageGaps(ctx, params.id, query),
  });
  router.route({
    method: 'GET',
    url: '/api/v1/crm/coverage-gaps',
    summary: 'Coverage gaps over my book (or one owner or unit in it), by account, cursor-paginated',
    tags,
    query: BookGapsQuery,
    response: BookGapsPage,
    handler: (ctx, { query }) => listBookCoverageGaps(ctx, query),
  });
}
