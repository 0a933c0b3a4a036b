import {
  AlertOutlined,
  ApartmentOutlined,
  BankOutlined,
  BookOutlined,
  CalculatorOutlined,
  DollarOutlined,
  ShoppingOutlined,
  AuditOutlined,
  CalendarOutlined,
  CustomerServiceOutlined,
  FileDoneOutlined,
  FileTextOutlined,
  FunnelPlotOutlined,
  HomeOutlined,
  IdcardOutlined,
  ImportOutlined,
  LineChartOutlined,
  RocketOutlined,
  SafetyCertificateOutlined,
  SendOutlined,
  SettingOutlined,
  TeamOutlined,
  TrophyOutlined,
  UserOutlined,
} from '@ant-design/icons';
import type { MenuProps } from 'antd';
import { Tag } from 'antd';
import type { TFunction } from 'i18next';
import type { ReactNode } from 'react';
import { ApprovalsNavBadge } from '../modules/cpq/quotes/approvals-nav-badge.tsx';
import type { Session } from '../modules/org/auth/use-session.ts';

/** The business modules of the line; they arrive in later releases and are shown as not open yet. */
export const UPCOMING_MODULES = ['delivery', 'service', 'performance'] as const;
export type UpcomingModule = (typeof UPCOMING_MODULES)[number];

const MODULE_ICONS: Record<UpcomingModule, ReactNode> = {
  delivery: <RocketOutlined />,
  service: <CustomerServiceOutlined />,
  performance: <TrophyOutlined />,
};

/** The CRM's pages, in the order of the side navigation. */
const CRM_PAGES = [
  { path: 'accounts', key: 'accounts', icon: <BankOutlined /> },
  { path: 'pipeline', key: 'pipeline', icon: <FunnelPlotOutlined /> },
  { path: 'forecast', key: 'forecast', icon: <LineChartOutlined /> },
  { path: 'coverage-gaps', key: 'coverageGaps', icon: <AlertOutlined /> },
  { path: 'import', key: 'import', icon: <ImportOutlined /> },
] as const;

type MenuItem = NonNullable<MenuProps['items']>[number];

/** CPQ's catalog pages (products, price books, contract prices, pricing rules), with the action a page needs. */
const CPQ_CATALOG_PAGES = [
  { path: 'products', key: 'products', icon: <ShoppingOutlined />, action: 'catalog.read' },
  { path: 'price-books', key: 'priceBooks', icon: <BookOutlined />, action: 'catalog.read' },
  { path: 'contract-prices', key: 'contractPrices', icon: <DollarOutlined />, action: 'catalog.read' },
  { path: 'pricing-rules', key: 'pricingRules', icon: <CalculatorOutlined />, action: 'pricing.rules.read' },
] as const;

/** CPQ's deal pages: quotes, the approvals inbox (with the count waiting for me), contracts. */
const CPQ_DEAL_PAGES = [
  { path: 'quotes', key: 'quotes', icon: <FileTextOutlined />, action: 'quotes.read' },
  { path: 'approvals', key: 'approvals', icon: <SafetyCertificateOutlined />, action: 'quotes.read' },
  { path: 'contracts', key: 'contracts', icon: <FileDoneOutlined />, action: 'contracts.read' },
] as const;

function label(testId: string, text: string, extra?: ReactNode) {
  return (
    <span data-testid={testId} style={{ display: 'inline-flex', alignItems: 'center', gap: 8, opacity: extra ? 0.7 : undefined }}>
      {text}
      {extra}
    </span>
  );
}

/** The side navigation, by module; keys are route paths. */
export function navItems(t: TFunction, session: Session): MenuItem[] {
  const items: MenuItem[] = [
    { key: '/', icon: <HomeOutlined />, label: label('nav-home', t('nav.home')) },
    {
      key: 'org',
      icon: <ApartmentOutlined />,
      label: label('nav-org', t('nav.org')),
      children: [
        { key: '/org', icon: <ApartmentOutlined />, label: label('nav-org-chart', t('nav.orgChart')) },
        ...(session.can('users.read') ? [{ key: '/users', icon: <TeamOutlined />, label: label('nav-users', t('nav.users')) }] : []),
        { key: '/calendars', icon: <CalendarOutlined />, label: label('nav-calendars', t('nav.calendars')) },
      ],
    },
    {
      key: 'crm',
      icon: <UserOutlined />,
      label: label('nav-crm', t('nav.crm')),
      children: CRM_PAGES.map((p) => ({ key: `/crm/${p.path}`, icon: p.icon, label: label(`nav-crm-${p.path}`, t(`nav.crmPages.${p.key}`)) })),
    },
    {
      key: 'cpq',
      icon: <CalculatorOutlined />,
      label: label('nav-cpq', t('nav.group', { ns: 'cpq-catalog' })),
      children: [
        ...CPQ_DEAL_PAGES.filter((p) => session.can(p.action)).map((p) => ({
          key: `/cpq/${p.path}`,
          icon: p.icon,
          label: (
            <span data-testid={`nav-cpq-${p.path}`} style={{ display: 'inline-flex', alignItems: 'center', gap: 8 }}>
              {t(`nav.${p.key}`, { ns: 'cpq-quotes' })}
              {p.key === 'approvals' && <ApprovalsNavBadge />}
            </span>
          ),
        })),
        ...CPQ_CATALOG_PAGES.filter((p) => session.can(p.action)).map((p) => ({
          key: `/cpq/${p.path}`,
          icon: p.icon,
          label: label(`nav-cpq-${p.path}`, t(`nav.${p.key}`, { ns: 'cpq-catalog' })),
        })),
      ],
    },
    ...UPCOMING_MODULES.map((m) => ({
      key: `/${m}`,
      icon: MODULE_ICONS[m],
      label: label(
        `nav-${m}`,
        t(`nav.${m}`),
        <Tag variant="outlined" style={{ marginInlineEnd: 0, fontSize: 11, lineHeight: '16px', paddingInline: 4, color: 'inherit', background: 'transparent', borderColor: 'currentColor' }}>
          {t('nav.soon')}
        </Tag>,
      ),
    })),
  ];
  const admin: MenuItem[] = [
    ...(session.can('org.company_profile.write')
      ? [{ key: '/admin/company-profile', icon: <IdcardOutlined />, label: label('nav-company-profile', t('nav.companyProfile')) }]
      : []),
    ...(session.can('audit.read_all') ? [{ key: '/admin/audit', icon: <AuditOutlined />, label: label('nav-audit', t('nav.audit')) }] : []),
    ...(session.can('outbox.admin') ? [{ key: '/admin/outbox', icon: <SendOutlined />, label: label('nav-outbox', t('nav.outbox')) }] : []),
  ];
  if (admin.length > 0) items.push({ key: 'admin', icon: <SettingOutlined />, label: label('nav-admin', t('nav.admin')), children: admin });
  return items;
}

/** The menu key to highlight for a path: the longest item key it starts with. */
export function selectedNavKey(pathname: string): string {
  if (pathname === '/') return '/';
  const keys = ['/org', '/users', '/calendars', '/admin/company-profile', '/admin/audit', '/admin/outbox', ...CRM_PAGES.map((p) => `/crm/${p.path}`), ...CPQ_DEAL_PAGES.map((p) => `/cpq/${p.path}`), ...CPQ_CATALOG_PAGES.map((p) => `/cpq/${p.path}`), ...UPCOMING_MODULES.map((m) => `/${m}`)];
  return keys.filter((k) => pathname === k || pathname.startsWith(`${k}/`)).sort((a, b) => b.length - a.length)[0] ?? '';
}

export function openNavGroup(pathname: string): string[] {
  if (pathname.startsWith('/admin')) return ['admin'];
  if (pathname.startsWith('/crm')) return ['crm'];
  if (pathname.startsWith('/cpq')) return ['cpq'];
  if (pathname.startsWith('/org') || pathname.startsWith('/users') || pathname.startsWith('/calendars')) return ['org'];
  return [];
}
