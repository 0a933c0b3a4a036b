import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/** Every catalogue (web and shared) has the same keys in every language, and no empty message. */
const ROOTS = [path.resolve(import.meta.dirname, 'locales'), path.resolve(import.meta.dirname, '../../shared/i18n')];

function keys(value: unknown, prefix = ''): string[] {
  if (typeof value !== 'object' || value === null) return [prefix];
  return Object.entries(value).flatMap(([k, v]) => keys(v, prefix ? `${prefix}.${k}` : k));
}

function leaves(value: unknown): unknown[] {
  if (typeof value !== 'object' || value === null) return [value];
  return Object.values(value).flatMap(leaves);
}

for (const root of ROOTS) {
  const languages = readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name);
  const namespaces = [...new Set(languages.flatMap((l) => readdirSync(path.join(root, l)).filter((f) => f.endsWith('.json'))))];
  const load = (lang: string, ns: string): unknown => JSON.parse(readFileSync(path.join(root, lang, ns), 'utf8'));

  describe(`message catalogues in ${path.relative(process.cwd(), root)}`, () => {
    it('has zh-CN and en', () => {
      expect(languages.sort()).toEqual(['en', 'zh-CN']);
    });
    for (const ns of namespaces) {
      it(`${ns}: same keys in every language, no empty texts`, () => {
        const [first, ...rest] = languages.map((l) => ({ l, data: load(l, ns) }));
        for (const other of rest) expect(keys(other.data).sort(), `${other.l}/${ns}`).toEqual(keys(first!.data).sort());
        for (const { data } of [first!, ...rest]) {
          for (const leaf of leaves(data)) expect(typeof leaf === 'string' && leaf.trim() !== '').toBe(true);
        }
      });
    }
  });
}
