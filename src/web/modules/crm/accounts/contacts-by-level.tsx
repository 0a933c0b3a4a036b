import { EditOutlined, PlusOutlined } from '@ant-design/icons';
import { Button, Card, Col, Empty, Row, Skeleton, Space, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { CONTACT_LEVELS, type Contact } from '../../../../server/modules/crm/account-contract.ts';
import { ProblemAlert } from '../../../components/problem-alert.tsx';
import { SimpleList } from '../../../components/simple-list.tsx';
import { ApiProblem } from '../../../http/api-problem.ts';
import { LEVEL_COLORS } from './account-badges.tsx';
import { useContacts } from './accounts-queries.ts';
import { ContactFormModal, type ContactFormMode } from './contact-form-modal.tsx';
import { groupContactsByLevel } from './contact-levels.ts';

/** The customer's people in three columns: decision, management, execution. */
export function ContactsByLevel({ accountId, canWrite }: { accountId: string; canWrite: boolean }) {
  const { t } = useTranslation('crm');
  const contacts = useContacts(accountId);
  const [editing, setEditing] = useState<ContactFormMode | null>(null);
  const all = contacts.data?.items ?? [];
  const byId = new Map(all.map((c) => [c.id, c]));
  const groups = groupContactsByLevel(all);

  return (
    <div data-testid="account-contacts">
      {contacts.error instanceof ApiProblem && <ProblemAlert problem={contacts.error} />}
      {canWrite && (
        <div style={{ display: 'flex', justifyContent: 'flex-end', marginBottom: 12 }}>
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing({ kind: 'create' })} data-testid="contact-add">
            {t('contacts.add')}
          </Button>
        </div>
      )}
      {contacts.isPending ? (
        <Skeleton active />
      ) : (
        <Row gutter={[16, 16]}>
          {CONTACT_LEVELS.map((level) => (
            <Col xs={24} lg={8} key={level}>
              <Card
                size="small"
                title={
                  <Space>
                    <Tag color={LEVEL_COLORS[level]}>{t(`enums.level.${level}`)}</Tag>
                    <span>{groups[level].length}</span>
                  </Space>
                }
                extra={
                  canWrite && (
                    <Button size="small" type="text" icon={<PlusOutlined />} onClick={() => setEditing({ kind: 'create', level })} data-testid={`contact-add-${level}`} />
                  )
                }
                data-testid={`contacts-level-${level}`}
              >
                {groups[level].length === 0 ? (
                  <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('contacts.none')} />
                ) : (
                  <SimpleList<Contact>
                    items={groups[level]}
                    rowKey={(c) => c.id}
                    render={(c) => (
                      <>
                        <div style={{ minWidth: 0 }}>
                          <Space size={4} wrap>
                            <Link to={`/crm/contacts/${c.id}`} data-testid="contact-link">
                              {c.name}
                            </Link>
                            {c.status === 'left' && <Tag>{t('enums.contactStatus.left')}</Tag>}
                            {c.influence !== 'neutral' && <Tag color={c.influence === 'blocker' ? 'red' : 'green'}>{t(`enums.influence.${c.influence}`)}</Tag>}
                          </Space>
                          <Typography.Text type="secondary" style={{ display: 'block', fontSize: 12 }}>
                            {[c.title, c.department].filter(Boolean).join(' · ') || '—'}
                            {c.reportsToId && byId.get(c.reportsToId) ? ` → ${byId.get(c.reportsToId)!.name}` : ''}
                          </Typography.Text>
                        </div>
                        {canWrite && (
                          <Button size="small" type="text" icon={<EditOutlined />} onClick={() => setEditing({ kind: 'edit', contact: c })} aria-label={t('contacts.edit')} data-testid="contact-edit" />
                        )}
                      </>
                    )}
                  />
                )}
              </Card>
            </Col>
          ))}
        </Row>
      )}
      {editing && <ContactFormModal accountId={accountId} mode={editing} onClose={() => setEditing(null)} />}
    </div>
  );
}
