import { Badge } from 'antd';
import { usePendingApprovalCount } from './quotes-queries.ts';

/** The number of approval requests waiting for me, beside the inbox's menu entry (nothing when none). */
export function ApprovalsNavBadge() {
  const count = usePendingApprovalCount(true);
  if (!count) return null;
  return <Badge count={count} size="small" data-testid="nav-approvals-count" data-count={count} />;
}
