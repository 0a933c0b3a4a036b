import { ArrowRightOutlined } from '@ant-design/icons';
import { Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import type { AuditEntry } from '../../../../server/platform/contract.ts';
import { fieldLabel } from './audit-labels.ts';
import { AuditValue } from './audit-value.tsx';

/** The fields an audit entry changed, each as "field: before → after". */
export function AuditChanges({ changes }: { changes: AuditEntry['changes'] }) {
  const { t } = useTranslation('admin');
  const entries = Object.entries(changes);
  if (entries.length === 0) return <Typography.Text type="secondary">{t('audit.noChanges')}</Typography.Text>;
  return (
    <ul style={{ margin: 0, padding: 0, listStyle: 'none', display: 'grid', gap: 4 }}>
      {entries.map(([field, [before, after]]) => (
        <li key={field} data-testid="audit-change" data-field={field}>
          <Typography.Text strong>{fieldLabel(field)}</Typography.Text>
          {': '}
          <span data-testid="audit-before">
            <AuditValue field={field} value={before} />
          </span>
          <ArrowRightOutlined style={{ marginInline: 6, fontSize: 11, opacity: 0.6 }} />
          <span data-testid="audit-after">
            <AuditValue field={field} value={after} />
          </span>
        </li>
      ))}
    </ul>
  );
}
