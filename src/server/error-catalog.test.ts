import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { getErrorCatalog } from './platform/errors.ts';
import { sharedResources } from '../shared/i18n/resources.ts';
import './modules/index.ts';

const root = path.resolve(import.meta.dirname, '../..');

/** Codes documented in docs/errors.md: the first column of its tables, in backticks. */
function documentedCodes(): Map<string, number> {
  const md = readFileSync(path.join(root, 'docs/errors.md'), 'utf8');
  const codes = new Map<string, number>();
  for (const m of md.matchAll(/^\|\s*`([a-z_]+\.[a-z_]+)`\s*\|\s*(\d{3})\s*\|/gm)) codes.set(m[1]!, Number(m[2]));
  return codes;
}

function messageCodes(tree: Record<string, unknown>): string[] {
  return Object.entries(tree).flatMap(([module, conditions]) => Object.keys(conditions as object).map((c) => `${module}.${c}`));
}

describe('the error catalog', () => {
  const catalog = getErrorCatalog();

  it('is documented in docs/errors.md, with the same statuses, both ways', () => {
    const documented = documentedCodes();
    for (const [code, def] of catalog) {
      expect(documented.has(code), `${code} is missing from docs/errors.md`).toBe(true);
      expect(documented.get(code), `${code} status in docs/errors.md`).toBe(def.status);
    }
    for (const code of documented.keys()) expect(catalog.has(code), `${code} is documented but not in the code`).toBe(true);
  });

  it('has a title in both message files, and the files have no stray codes', () => {
    for (const locale of ['en', 'zh-CN'] as const) {
      const tree = sharedResources[locale].errors as Record<string, Record<string, { title?: string }>>;
      for (const code of catalog.keys()) {
        const [module, condition] = code.split('.') as [string, string];
        expect(tree[module]?.[condition]?.title, `${locale} title of ${code}`).toBeTruthy();
      }
      for (const code of messageCodes(tree)) expect(catalog.has(code), `${locale} has ${code}, unknown to the code`).toBe(true);
    }
  });
});

// Key parity of every message catalogue (shared and web) is checked in src/web/i18n/locale-parity.test.ts.
