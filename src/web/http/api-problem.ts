import type { Problem } from '../../shared/api.ts';

export type FieldError = NonNullable<Problem['errors']>[number];

/**
 * A failed API call as the UI sees it: the server's RFC 9457 problem (title, detail and field
 * messages already in the user's language), or a problem made up on the client for a network
 * failure or an unreadable response (code `client.network` / `client.unexpected`).
 */
export class ApiProblem extends Error {
  readonly status: number;
  readonly code: string;
  readonly title: string;
  readonly detail: string | undefined;
  readonly requestId: string | undefined;
  readonly errors: readonly FieldError[];
  /** The whole problem document, extension members included (e.g. `currentVersion`). */
  readonly document: Readonly<Record<string, unknown>>;

  constructor(problem: Problem & Record<string, unknown>) {
    super(problem.detail ? `${problem.title}: ${problem.detail}` : problem.title);
    this.name = 'ApiProblem';
    this.status = problem.status;
    this.code = problem.code;
    this.title = problem.title;
    this.detail = problem.detail;
    this.requestId = problem.requestId;
    this.errors = problem.errors ?? [];
    this.document = problem;
  }

  get isVersionConflict(): boolean {
    return this.code === 'platform.version_conflict';
  }
}

export function isApiProblem(err: unknown): err is ApiProblem {
  return err instanceof ApiProblem;
}

/** Is this value a problem+json document? (Checked loosely: the server is ours, the proxy may not be.) */
export function looksLikeProblem(value: unknown): value is Problem & Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v['title'] === 'string' && typeof v['status'] === 'number' && typeof v['code'] === 'string';
}
