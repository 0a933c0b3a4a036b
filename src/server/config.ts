import { z } from 'zod';

/**
 * The one place that reads process.env. Parsed once with Zod; boot fails listing every bad
 * variable with its expected form.
 */
const Env = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\/.+/, { message: 'expected postgres://user@host:port/db' })
    .optional(),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SESSION_TTL_HOURS: z.coerce.number().int().min(1).max(24 * 90).default(12),
  COOKIE_SECURE: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
  LOGIN_MAX_FAILURES: z.coerce.number().int().min(1).max(1000).default(10),
  LOGIN_WINDOW_MINUTES: z.coerce.number().int().min(1).max(1440).default(15),
  OUTBOX_POLL_MS: z.coerce.number().int().min(10).max(60_000).default(500),
  COMPANY_TIME_ZONE: z.string().min(1).default('Asia/Shanghai'),
});

export type Config = z.output<typeof Env>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Parse an environment (process.env by default) into a Config, or throw listing every problem. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const picked: Record<string, string> = {};
  for (const key of Object.keys(Env.shape)) {
    const v = env[key];
    if (v !== undefined && v !== '') picked[key] = v;
  }
  const parsed = Env.safeParse(picked);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => `${i.path.join('.') || '(env)'}: ${i.message} (got ${JSON.stringify(picked[String(i.path[0])])})`),
    );
  }
  try {
    new Intl.DateTimeFormat('en', { timeZone: parsed.data.COMPANY_TIME_ZONE });
  } catch {
    throw new ConfigError([`COMPANY_TIME_ZONE: unknown IANA time zone (got ${JSON.stringify(parsed.data.COMPANY_TIME_ZONE)})`]);
  }
  return parsed.data;
}
