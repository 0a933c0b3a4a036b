import { sharedResources } from '../../shared/i18n/resources.ts';
import enAdmin from './locales/en/admin.json';
import enAuth from './locales/en/auth.json';
import enCommon from './locales/en/common.json';
import enCpqQuotes from './locales/en/cpq-quotes.json';
import enCpqCatalog from './locales/en/cpq-catalog.json';
import enCrm from './locales/en/crm.json';
import enHome from './locales/en/home.json';
import enOrg from './locales/en/org.json';
import enPipeline from './locales/en/pipeline.json';
import zhAdmin from './locales/zh-CN/admin.json';
import zhAuth from './locales/zh-CN/auth.json';
import zhCommon from './locales/zh-CN/common.json';
import zhCpqQuotes from './locales/zh-CN/cpq-quotes.json';
import zhCpqCatalog from './locales/zh-CN/cpq-catalog.json';
import zhCrm from './locales/zh-CN/crm.json';
import zhHome from './locales/zh-CN/home.json';
import zhOrg from './locales/zh-CN/org.json';
import zhPipeline from './locales/zh-CN/pipeline.json';

/**
 * Every message catalogue of the web app: its own UI namespaces (src/web/i18n/locales/<lang>/) plus
 * the namespaces shared with the server (errors, validation). Both languages hold the same keys;
 * a unit test checks the parity.
 */
export const webResources = {
  'zh-CN': { common: zhCommon, auth: zhAuth, org: zhOrg, admin: zhAdmin, home: zhHome, crm: zhCrm, pipeline: zhPipeline, 'cpq-quotes': zhCpqQuotes, 'cpq-catalog': zhCpqCatalog, ...sharedResources['zh-CN'] },
  en: { common: enCommon, auth: enAuth, org: enOrg, admin: enAdmin, home: enHome, crm: enCrm, pipeline: enPipeline, 'cpq-quotes': enCpqQuotes, 'cpq-catalog': enCpqCatalog, ...sharedResources.en },
} as const;

export const NAMESPACES = ['common', 'auth', 'org', 'admin', 'home', 'crm', 'pipeline', 'cpq-quotes', 'cpq-catalog', 'errors', 'validation'] as const;
