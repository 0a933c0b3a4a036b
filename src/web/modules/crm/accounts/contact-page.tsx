import { EditOutlined, PlusOutlined, UserOutlined } from '@ant-design/icons';
import { Button, Card, Col, Descriptions, Empty, Result, Row, Skeleton, Space, Steps, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router-dom';
import type { CoverageLink } from '../../../../server/modules/crm/account-contract.ts';
import { PageHeader } from '../../../components/page-header.tsx';
import { ProblemAlert } from '../../../components/problem-alert.tsx';
import { SimpleList } from '../../../components/simple-list.tsx';
import { ApiProblem } from '../../../http/api-problem.ts';
import { useSession } from '../../org/auth/use-session.ts';
import { LevelTag, Strength, TouchAge } from './account-badges.tsx';
import { AccountDeals } from './account-deals.tsx';
import { useAccount, useContact, useContacts, useCoverage } from './accounts-queries.ts';
import { ContactFormModal } from './contact-form-modal.tsx';
import { daysSince, reportsToChain } from './contact-levels.ts';
import { CoverageFormModal, type CoverageFormMode } from './coverage-form-modal.tsx';
import { CustomValues } from './custom-field-inputs.tsx';
import { TimelineCard } from './timeline-card.tsx';

/** One of the customer's people: details, whom they report to, who of ours covers them, deals, timeline. */
export function ContactPage() {
  const { id = '' } = useParams();
  const { t } = useTranslation(['crm', 'common']);
  const session = useSession();
  const contact = useContact(id);
  const accountId = contact.data?.accountId;
  const account = useAccount(accountId);
  const contacts = useContacts(accountId);
  const coverage = useCoverage(accountId);
  const [editing, setEditing] = useState(false);
  const [covering, setCovering] = useState<CoverageFormMode | null>(null);

  if (contact.error instanceof ApiProblem && contact.error.status === 404) {
    return <Result status="404" title={t('contacts.notFound')} extra={<Link to="/crm/accounts">{t('detail.back')}</Link>} data-testid="contact-not-found" />;
  }
  if (contact.error instanceof ApiProblem) return <ProblemAlert problem={contact.error} />;
  if (!contact.data) return <Skeleton active />;
  const c = contact.data;
  const canWrite = session.can('crm.accounts.write') && account.data?.archivedAt === null;
  const chain = reportsToChain(c.id, contacts.data?.items ?? []);
  const links = (coverage.data?.items ?? []).filter((l) => l.contactId === c.id);
  const now = new Date();

  return (
    <div data-testid="contact-page">
      <PageHeader
        title={
          <Space wrap>
            <span data-testid="contact-name">{c.name}</span>
            <LevelTag level={c.level} />
            {c.status === 'left' && <Tag>{t('enums.contactStatus.left')}</Tag>}
          </Space>
        }
        subtitle={
          <>
            {[c.title, c.department].filter(Boolean).join(' · ')}
            {account.data && (
              <>
                {' — '}
                <Link to={`/crm/accounts/${c.accountId}`} data-testid="contact-account">
                  {account.data.nameZh}
                </Link>
              </>
            )}
          </>
        }
        extra={
          canWrite && (
            <Button icon={<EditOutlined />} onClick={() => setEditing(true)} data-testid="contact-page-edit">
              {t('common:actions.edit')}
            </Button>
          )
        }
      />
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={12}>
          <Card title={t('detail.details')} data-testid="contact-details">
            <Descriptions size="small" column={1}>
              <Descriptions.Item label={t('fields.level')}>{t(`enums.level.${c.level}`)}</Descriptions.Item>
              <Descriptions.Item label={t('fields.title')}>{c.title ?? '—'}</Descriptions.Item>
              <Descriptions.Item label={t('fields.department')}>{c.department ?? '—'}</Descriptions.Item>
              <Descriptions.Item label={t('fields.phones')}>{c.phones.join(', ') || '—'}</Descriptions.Item>
              <Descriptions.Item label={t('fields.emails')}>{c.emails.join(', ') || '—'}</Descriptions.Item>
              <Descriptions.Item label={t('fields.wechatId')}>{c.wechatId ?? '—'}</Descriptions.Item>
              <Descriptions.Item label={t('fields.influence')}>{t(`enums.influence.${c.influence}`)}</Descriptions.Item>
              <Descriptions.Item label={t('fields.contactStatus')}>{t(`enums.contactStatus.${c.status}`)}</Descriptions.Item>
            </Descriptions>
            <CustomValues entity="contact" values={c.custom} />
          </Card>
        </Col>
        <Col xs={24} xl={12}>
          <Card title={t('contacts.chain')} data-testid="contact-chain">
            {chain.length === 0 ? (
              <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('contacts.chainTop')} />
            ) : (
              <Steps
                orientation="vertical"
                size="small"
                current={-1}
                items={chain.map((boss) => ({
                  icon: <UserOutlined />,
                  title: (
                    <Link to={`/crm/contacts/${boss.id}`} data-testid="contact-chain-item">
                      {boss.name}
                    </Link>
                  ),
                  content: [t(`enums.level.${boss.level}`), boss.title].filter(Boolean).join(' · '),
                }))}
              />
            )}
          </Card>
          <Card
            title={t('contacts.coverage')}
            style={{ marginTop: 16 }}
            data-testid="contact-coverage"
            extra={
              canWrite &&
              c.status === 'active' && (
                <Button size="small" icon={<PlusOutlined />} onClick={() => setCovering({ kind: 'create', contactId: c.id })} data-testid="contact-cover">
                  {t('map.addCoverage')}
                </Button>
              )
            }
          >
            {links.length === 0 ? (
              <Typography.Text type="warning" data-testid="contact-uncovered">
                {t('map.uncovered')}
              </Typography.Text>
            ) : (
              <SimpleList<CoverageLink>
                items={links}
                rowKey={(l) => l.id}
                render={(l) => (
                  <>
                    <Space size={8} wrap>
                      <Link to={`/users/${l.userId}`} data-testid="contact-coverer">
                        {l.userName ?? l.userId}
                      </Link>
                      <Tag>{t(`enums.relationshipRole.${l.relationshipRole}`)}</Tag>
                      <Strength value={l.strength} />
                      <TouchAge days={daysSince(l.lastTouchAt, now)} />
                    </Space>
                    {canWrite && (
                      <Button
                        size="small"
                        type="text"
                        icon={<EditOutlined />}
                        aria-label={t('map.editCoverage')}
                        onClick={() =>
                          setCovering({
                            kind: 'edit',
                            link: { id: l.id, contactId: l.contactId, userId: l.userId, relationshipRole: l.relationshipRole, strength: l.strength, version: l.version },
                          })
                        }
                      />
                    )}
                  </>
                )}
              />
            )}
          </Card>
        </Col>
        <Col span={24}>
          <AccountDeals accountId={c.accountId} title={t('contacts.deals')} />
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {t('contacts.dealsNote')}
          </Typography.Text>
        </Col>
        <Col span={24}>
          <TimelineCard subjectType="contact" subjectId={c.id} accountId={c.accountId} canLog={account.data?.archivedAt === null} />
        </Col>
      </Row>
      {editing && <ContactFormModal accountId={c.accountId} mode={{ kind: 'edit', contact: c }} onClose={() => setEditing(false)} />}
      {covering && <CoverageFormModal accountId={c.accountId} mode={covering} onClose={() => setCovering(null)} />}
    </div>
  );
}
