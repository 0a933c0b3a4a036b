/**
 * The authenticator's per-process principal cache (decision 0012): who a session or API token is —
 * the user's roles, unit, subtree, locale — is kept for a few seconds instead of being read on every
 * request. This module holds only what both sides need: the TTL and the invalidation that the write
 * paths call. The cache itself lives in createAuthenticator (auth-service.ts).
 *
 * Staleness bounds:
 * - In this process a change is seen by the next request: every write that can change an
 *   authentication outcome or an Actor (logout, password change, token revocation, a user's roles,
 *   active flag, unit or preferences, a move in the org tree) calls `invalidatePrincipals()` after
 *   its transaction committed.
 * - Another server process's change is seen within PRINCIPAL_TTL_MS (plus the subtree cache's 5 s
 *   for an org move, as before).
 *
 * Invalidation is by generation: every entry remembers the generation it was read in, and an entry
 * of an older generation is a miss. A lookup that was already running when a write committed
 * finishes with the old generation and is not stored, so it cannot bring the old state back.
 */

/** How long a cached principal is used before it is read again. */
export const PRINCIPAL_TTL_MS = 3_000;

let generation = 0;

/** The generation to tag a lookup with: read it before the lookup starts. */
export function principalGeneration(): number {
  return generation;
}

/**
 * Forget every cached principal in this process. Call it after the transaction that changed a
 * session, an API token, a user or the org tree committed (not inside it: a request between the
 * call and the commit would read and cache the old state again).
 */
export function invalidatePrincipals(): void {
  generation++;
}
