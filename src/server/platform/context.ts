import type { Locale } from '../../shared/i18n/resources.ts';
import type { Role } from '../../shared/roles.ts';
import type { Db } from './db.ts';

/** The signed-in principal, resolved once per request by the org module's authenticator. */
export interface Actor {
  userId: string;
  roles: readonly Role[];
  /** Home org unit today (null for a user not placed in the org chart). */
  unitId: string | null;
  /** Home unit and every unit below it, today. */
  subtreeUnitIds: readonly string[];
  locale: Locale;
  timeZone: string;
  via: 'session' | 'token';
  sessionId?: string;
}

/** What a service function receives: the database, who is acting, and request metadata. */
export interface ServiceContext {
  db: Db;
  actor: Actor;
  requestId: string;
  now: Date;
}
