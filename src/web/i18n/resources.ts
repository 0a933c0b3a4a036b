import { sharedResources } from '../../shared/i18n/resources.ts';
import enAdmin from './locales/en/admin.json';
import enAuth from './locales/en/auth.json';
import enCommon from './locales/en/common.json';
import enHome from './locales/en/home.json';
import enOrg from './locales/en/org.json';
import zhAdmin from './locales/zh-CN/admin.json';
import zhAuth from './locales/zh-CN/auth.json';
import zhCommon from './locales/zh-CN/common.json';
import zhHome from './locales/zh-CN/home.json';
import zhOrg from './locales/zh-CN/org.json';

/**
 * Every message catalogue of the web app: its own UI namespaces (src/web/i18n/locales/<lang>/) plus
 * the namespaces shared with the server (errors, validation). Both languages hold the same keys;
 * a unit test checks the parity.
 */
export const webResources = {
  'zh-CN': { common: zhCommon, auth: zhAuth, org: zhOrg, admin: zhAdmin, home: zhHome, ...sharedResources['zh-CN'] },
  en: { common: enCommon, auth: enAuth, org: enOrg, admin: enAdmin, home: enHome, ...sharedResources.en },
} as const;

export const NAMESPACES = ['common', 'auth', 'org', 'admin', 'home', 'errors', 'validation'] as const;
