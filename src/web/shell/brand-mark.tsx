import { NodeIndexOutlined } from '@ant-design/icons';

/** The product mark: an icon and the name. */
export function BrandMark({ size = 18, collapsed = false }: { size?: number; collapsed?: boolean }) {
  return (
    <span style={{ display: 'inline-flex', alignItems: 'center', gap: 10, color: '#fff', fontWeight: 600, fontSize: size, whiteSpace: 'nowrap' }}>
      <NodeIndexOutlined style={{ fontSize: size + 4 }} />
      {!collapsed && 'Throughline'}
    </span>
  );
}
