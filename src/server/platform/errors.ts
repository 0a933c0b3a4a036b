/**
 * One way to fail. Every expected failure is an AppError with a catalogued code
 * `<module>.<condition>`; one Fastify handler maps it to RFC 9457 problem+json.
 * The catalog is checked against docs/errors.md and both message files by a test.
 */
export interface FieldError {
  /** Dotted path into the request, e.g. "body.lines.0.quantity" */
  path: string;
  message: string;
}

export interface ErrorDefinition {
  status: number;
}

const catalog = new Map<string, ErrorDefinition>();

/** Register a module's error codes; returns the full codes keyed by condition. */
export function defineErrors<M extends string, const T extends Record<string, ErrorDefinition>>(
  module: M,
  defs: T,
): { readonly [K in keyof T & string]: `${M}.${K}` } {
  const out: Record<string, string> = {};
  for (const [condition, def] of Object.entries(defs)) {
    const code = `${module}.${condition}`;
    if (catalog.has(code) && catalog.get(code)!.status !== def.status) {
      throw new Error(`error code ${code} defined twice with different statuses`);
    }
    catalog.set(code, def);
    out[condition] = code;
  }
  return out as { readonly [K in keyof T & string]: `${M}.${K}` };
}

export function getErrorCatalog(): ReadonlyMap<string, ErrorDefinition> {
  return catalog;
}

export interface AppErrorOptions {
  /** A literal, occurrence-specific explanation (already in the user's words or neutral data). */
  detail?: string;
  /** Values for the localized detail template `errors.<code>.detail`. */
  params?: Record<string, string | number>;
  errors?: FieldError[];
  /** Extension members of the problem document, e.g. `{ currentVersion: 4 }`. */
  extra?: Record<string, unknown>;
  cause?: unknown;
}

export class AppError extends Error {
  readonly status: number;
  constructor(
    readonly code: string,
    readonly options: AppErrorOptions = {},
  ) {
    super(options.detail ?? code, options.cause === undefined ? undefined : { cause: options.cause });
    const def = catalog.get(code);
    if (!def) throw new Error(`unknown error code: ${code}`);
    this.status = def.status;
    this.name = 'AppError';
  }
}

export const PlatformErrors = defineErrors('platform', {
  validation: { status: 400 },
  malformed_json: { status: 400 },
  invalid_cursor: { status: 400 },
  unauthenticated: { status: 401 },
  session_expired: { status: 401 },
  forbidden: { status: 403 },
  csrf_failed: { status: 403 },
  not_found: { status: 404 },
  route_not_found: { status: 404 },
  version_conflict: { status: 409 },
  unique_violation: { status: 409 },
  reference_in_use: { status: 409 },
  idempotency_in_progress: { status: 409 },
  payload_too_large: { status: 413 },
  unsupported_media_type: { status: 415 },
  reference_invalid: { status: 422 },
  idempotency_key_reused: { status: 422 },
  rate_limited: { status: 429 },
  internal: { status: 500 },
  unavailable: { status: 503 },
});

export function notFound(entity: string): AppError {
  return new AppError(PlatformErrors.not_found, { params: { entity } });
}

export function forbidden(action: string): AppError {
  return new AppError(PlatformErrors.forbidden, { params: { action } });
}

export function versionConflict(currentVersion: number): AppError {
  return new AppError(PlatformErrors.version_conflict, { params: { currentVersion }, extra: { currentVersion } });
}
