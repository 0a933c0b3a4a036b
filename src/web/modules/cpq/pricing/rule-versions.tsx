import { Button, Drawer, List, Space, Tag, Typography } from 'antd';
import dayjs from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Rule, RuleVersion } from '../../../../server/modules/pricing/contract.ts';

const STATUS_COLORS: Record<RuleVersion['status'], string> = { draft: 'gold', published: 'green', superseded: 'default' };

/** Every version of a rule, newest first: status, when saved and published; a version's definition on demand. */
export function RuleVersions({ rule }: { rule: Rule }) {
  const { t } = useTranslation('cpq-catalog');
  const [viewing, setViewing] = useState<RuleVersion | null>(null);
  return (
    <>
      <List
        size="small"
        bordered
        header={<Typography.Text strong>{t('versions.title')}</Typography.Text>}
        dataSource={rule.versions}
        data-testid="rule-versions"
        renderItem={(v) => (
          <List.Item
            data-testid="rule-version"
            data-number={v.number}
            data-status={v.status}
            actions={[
              <Button key="view" size="small" type="link" onClick={() => setViewing(v)}>
                {t('versions.view')}
              </Button>,
            ]}
          >
            <Space orientation="vertical" size={0}>
              <Space size={6}>
                <Typography.Text strong>v{v.number}</Typography.Text>
                <Tag color={STATUS_COLORS[v.status]}>{t(`versions.status.${v.status}`)}</Tag>
                <span>{v.name}</span>
              </Space>
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                {t('versions.saved', { at: dayjs(v.updatedAt).format('YYYY-MM-DD HH:mm') })}
                {v.publishedAt ? ` · ${t('versions.published', { at: dayjs(v.publishedAt).format('YYYY-MM-DD HH:mm') })}` : ''}
              </Typography.Text>
            </Space>
          </List.Item>
        )}
      />
      {viewing && (
        <Drawer open size={560} title={`${rule.code} v${viewing.number} · ${t(`versions.status.${viewing.status}`)}`} onClose={() => setViewing(null)}>
          <Typography.Paragraph strong>{viewing.name}</Typography.Paragraph>
          <pre style={{ fontSize: 12, whiteSpace: 'pre-wrap' }} data-testid="rule-version-definition">
            {JSON.stringify(viewing.definition, null, 2)}
          </pre>
        </Drawer>
      )}
    </>
  );
}
