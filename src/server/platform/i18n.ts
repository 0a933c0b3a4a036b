import { type Locale, sharedResources } from '../../shared/i18n/resources.ts';

type Tree = { readonly [k: string]: string | Tree };

/** Look up `ns:key.path` in the shared catalogues and fill `{{params}}`; undefined when missing. */
export function translate(locale: Locale, ns: 'errors' | 'validation', key: string, params?: Record<string, unknown>): string | undefined {
  let node: string | Tree | undefined = sharedResources[locale][ns] as Tree;
  for (const part of key.split('.')) {
    if (node === undefined || typeof node === 'string') return undefined;
    node = node[part];
  }
  if (typeof node !== 'string') return undefined;
  if (!params) return node;
  return node.replace(/\{\{(\w+)\}\}/g, (_, name: string) => (params[name] === undefined ? `{{${name}}}` : String(params[name])));
}
