import 'i18next';
import type { webResources } from './resources.ts';

// Typed keys: t('org:users.title') is checked against the zh-CN catalogues at compile time.
declare module 'i18next' {
  interface CustomTypeOptions {
    defaultNS: 'common';
    resources: (typeof webResources)['zh-CN'];
  }
}
