import { DeleteOutlined, EditOutlined, PlusOutlined } from '@ant-design/icons';
import { App, Button, Card, Col, Empty, Popconfirm, Row, Skeleton, Space, Statistic, Tag, Tree, Typography, theme } from 'antd';
import { type ReactNode, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { CONTACT_LEVELS, type ContactMapNode, type Coverer } from '../../../../server/modules/crm/account-contract.ts';
import { ProblemAlert } from '../../../components/problem-alert.tsx';
import { useShowProblem } from '../../../components/use-show-problem.ts';
import { ApiProblem } from '../../../http/api-problem.ts';
import { LEVEL_COLORS, LevelTag, Strength, TouchAge } from './account-badges.tsx';
import { accountsApi } from './accounts-api.ts';
import { useCoverage, useRefreshAccount, useRelationshipMap } from './accounts-queries.ts';
import { branchIds } from './contact-levels.ts';
import { CoverageFormModal, type CoverageFormMode } from './coverage-form-modal.tsx';

interface TreeItem {
  key: string;
  title: ReactNode;
  children: TreeItem[];
}

/**
 * The customer's org chart (who reports to whom, coloured by level) with our coverage on each
 * person: who covers them, how strongly, how long since the last touch. Coverage is edited here.
 */
export function RelationshipMapView({ accountId, canWrite }: { accountId: string; canWrite: boolean }) {
  const { t } = useTranslation('crm');
  const { token } = theme.useToken();
  const { message } = App.useApp();
  const showProblem = useShowProblem();
  const refresh = useRefreshAccount();
  const map = useRelationshipMap(accountId);
  const links = useCoverage(accountId);
  const [editing, setEditing] = useState<CoverageFormMode | null>(null);
  const versions = new Map((links.data?.items ?? []).map((l) => [l.id, l]));

  const remove = async (coverageId: string) => {
    const link = versions.get(coverageId);
    if (!link) return;
    try {
      await accountsApi.deleteCoverage(coverageId, link.version);
      void message.success(t('map.removed'));
      refresh(accountId);
    } catch (err) {
      showProblem(err);
    }
  };

  const coverer = (c: Coverer, contactId: string) => {
    const link = versions.get(c.coverageId);
    return (
      <Tag
        key={c.coverageId}
        color={c.active ? (c.isManagerOrAbove ? 'geekblue' : 'default') : 'error'}
        style={{ marginInlineEnd: 4, paddingBlock: 2 }}
        data-testid="map-coverer"
        data-user-id={c.userId}
      >
        <Space size={4}>
          <span>{c.userName ?? c.userId}</span>
          <span style={{ opacity: 0.7 }}>{t(`enums.seniority.${c.seniority}`)}</span>
          {!c.active && <span>({t('map.inactive')})</span>}
          <Strength value={c.strength} />
          <TouchAge days={c.daysSinceTouch} />
          {canWrite && link && (
            <>
              <EditOutlined
                aria-label={t('map.editCoverage')}
                data-testid="map-coverer-edit"
                onClick={() =>
                  setEditing({
                    kind: 'edit',
                    link: { id: link.id, contactId, userId: link.userId, relationshipRole: link.relationshipRole, strength: link.strength, version: link.version },
                  })
                }
              />
              <Popconfirm title={t('map.removeConfirm')} onConfirm={() => void remove(c.coverageId)}>
                <DeleteOutlined aria-label={t('map.removeConfirm')} data-testid="map-coverer-remove" />
              </Popconfirm>
            </>
          )}
        </Space>
      </Tag>
    );
  };

  const toItem = (n: ContactMapNode): TreeItem => ({
    key: n.id,
    title: (
      <div
        style={{
          borderInlineStart: `3px solid ${token[`${LEVEL_COLORS[n.level]}6` as 'red6'] ?? token.colorBorder}`,
          paddingInlineStart: 8,
          margin: '4px 0',
          opacity: n.status === 'left' ? 0.5 : 1,
        }}
        data-testid="map-contact"
        data-contact-id={n.id}
        data-level={n.level}
      >
        <Space size={6} wrap>
          <Link to={`/crm/contacts/${n.id}`}>{n.name}</Link>
          <LevelTag level={n.level} />
          {n.title && <Typography.Text type="secondary">{n.title}</Typography.Text>}
          {n.influence !== 'neutral' && <Tag color={n.influence === 'blocker' ? 'red' : 'green'}>{t(`enums.influence.${n.influence}`)}</Tag>}
          {n.status === 'left' && <Tag>{t('enums.contactStatus.left')}</Tag>}
        </Space>
        <div style={{ marginTop: 4 }}>
          {n.coverage.length === 0 ? (
            <Tag color="warning" data-testid="map-uncovered">
              {t('map.uncovered')}
            </Tag>
          ) : (
            n.coverage.map((c) => coverer(c, n.id))
          )}
          {canWrite && n.status === 'active' && (
            <Button
              size="small"
              type="dashed"
              icon={<PlusOutlined />}
              onClick={() => setEditing({ kind: 'create', contactId: n.id })}
              aria-label={t('map.coverContact', { name: n.name })}
              data-testid="map-cover"
            />
          )}
        </div>
      </div>
    ),
    children: n.children.map(toItem),
  });

  const data = map.data;
  return (
    <Card
      title={t('map.title')}
      data-testid="relationship-map"
      extra={
        canWrite && (
          <Button icon={<PlusOutlined />} onClick={() => setEditing({ kind: 'create' })} data-testid="coverage-add">
            {t('map.addCoverage')}
          </Button>
        )
      }
    >
      <Typography.Paragraph type="secondary">{t('map.help')}</Typography.Paragraph>
      {map.error instanceof ApiProblem && <ProblemAlert problem={map.error} />}
      {map.isPending && <Skeleton active />}
      {data && (
        <>
          <Row gutter={16} style={{ marginBottom: 16 }}>
            {CONTACT_LEVELS.map((level) => {
              const s = data.summary.byLevel[level];
              return (
                <Col xs={24} md={8} key={level}>
                  <Statistic
                    title={<LevelTag level={level} />}
                    value={t('map.summary', { covered: s.covered, active: s.active })}
                    styles={{ content: { fontSize: 18, color: level === 'decision' && s.uncovered > 0 ? token.colorWarning : undefined } }}
                    data-testid={`map-summary-${level}`}
                  />
                </Col>
              );
            })}
          </Row>
          {data.summary.left > 0 && <Typography.Text type="secondary">{t('map.left', { count: data.summary.left })}</Typography.Text>}
          {data.roots.length === 0 ? (
            <Empty description={t('map.none')} />
          ) : (
            <Tree
              key={branchIds(data.roots).join(',')}
              treeData={data.roots.map(toItem)}
              defaultExpandedKeys={branchIds(data.roots)}
              selectable={false}
              showLine
              blockNode
              data-testid="map-tree"
            />
          )}
        </>
      )}
      {editing && <CoverageFormModal accountId={accountId} mode={editing} onClose={() => setEditing(null)} />}
    </Card>
  );
}
