import { Typography } from 'antd';
import type { ReactNode } from 'react';

/** A page's title line: title, optional subtitle, actions on the right. */
export function PageHeader({ title, subtitle, extra, testId }: { title: ReactNode; subtitle?: ReactNode; extra?: ReactNode; testId?: string }) {
  return (
    <div style={{ display: 'flex', alignItems: 'flex-start', justifyContent: 'space-between', gap: 16, marginBottom: 16, flexWrap: 'wrap' }}>
      <div>
        <Typography.Title level={4} style={{ margin: 0 }} data-testid={testId ?? 'page-title'}>
          {title}
        </Typography.Title>
        {subtitle && (
          <Typography.Text type="secondary" style={{ display: 'block', marginTop: 4 }}>
            {subtitle}
          </Typography.Text>
        )}
      </div>
      {extra && <div style={{ display: 'flex', gap: 8, flexWrap: 'wrap' }}>{extra}</div>}
    </div>
  );
}
