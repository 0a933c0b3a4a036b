import { theme } from 'antd';
import type { ReactNode } from 'react';

/** Rows separated by hairlines (antd's List is deprecated in v6; Listy is a virtual list, too much here). */
export function SimpleList<T>({ items, render, rowKey, testId }: { items: readonly T[]; render: (item: T) => ReactNode; rowKey: (item: T) => string; testId?: string }) {
  const { token } = theme.useToken();
  return (
    <div data-testid={testId}>
      {items.map((item, i) => (
        <div
          key={rowKey(item)}
          style={{
            display: 'flex',
            alignItems: 'center',
            justifyContent: 'space-between',
            gap: 16,
            padding: '10px 0',
            borderTop: i === 0 ? undefined : `1px solid ${token.colorBorderSecondary}`,
          }}
        >
          {render(item)}
        </div>
      ))}
    </div>
  );
}
