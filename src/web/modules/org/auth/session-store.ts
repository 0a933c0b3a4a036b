import type { QueryClient } from '@tanstack/react-query';
import type { SessionInfo } from '../../../../server/modules/org/contract.ts';
import { setCsrfToken } from '../../../http/api-client.ts';
import { ApiProblem } from '../../../http/api-problem.ts';
import { setUiLocale } from '../../../i18n/i18n.ts';
import { orgApi, orgKeys } from '../org-api.ts';

/**
 * The session lives in the query cache under ['session']: SessionInfo when signed in, null when
 * not. Accepting a session also arms the CSRF token and switches the UI to the user's language.
 */
let sessionEndedNotice = false;

export async function loadSession(signal?: AbortSignal): Promise<SessionInfo | null> {
  try {
    const info = await orgApi.session(signal);
    await applySession(info);
    return info;
  } catch (err) {
    if (err instanceof ApiProblem && err.status === 401) {
      setCsrfToken(null);
      return null;
    }
    throw err;
  }
}

export async function applySession(info: SessionInfo): Promise<void> {
  setCsrfToken(info.csrfToken);
  await setUiLocale(info.user.locale);
}

export async function acceptSession(queryClient: QueryClient, info: SessionInfo): Promise<void> {
  sessionEndedNotice = false;
  await applySession(info);
  queryClient.setQueryData(orgKeys.session, info);
}

/** Forget the session and everything cached for that user. */
export function dropSession(queryClient: QueryClient): void {
  setCsrfToken(null);
  queryClient.setQueryData(orgKeys.session, null);
  queryClient.removeQueries({ predicate: (q) => q.queryKey[0] !== orgKeys.session[0] });
}

/** Remember that the server ended the session, so the login page can say so until the next sign-in. */
export function noteSessionEnded(): void {
  sessionEndedNotice = true;
}

export function sessionWasEnded(): boolean {
  return sessionEndedNotice;
}

/** A deliberate sign-out is not an expired session. */
export function forgetSessionEnded(): void {
  sessionEndedNotice = false;
}
