/** The roles of Throughline. A role grants actions; a scope limits the rows they reach. */
export const ROLES = [
  'admin',
  'executive',
  'sales_rep',
  'sales_manager',
  'deal_desk',
  'finance',
  'project_manager',
  'resource_manager',
  'engineer',
  'service_agent',
] as const;
export type Role = (typeof ROLES)[number];

/** Row scopes, narrowest first. */
export const SCOPES = ['own', 'team', 'subtree', 'all'] as const;
export type Scope = (typeof SCOPES)[number];

export function widerScope(a: Scope, b: Scope): Scope {
  return SCOPES.indexOf(a) >= SCOPES.indexOf(b) ? a : b;
}
