import { Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import type { ApprovalRequest } from '../../../../server/modules/quotes/approval-contract.ts';
import type { Quote, QuoteVersionStatus } from '../../../../server/modules/quotes/contract.ts';
import type { ContractStatus } from '../../../../server/modules/contracts/contract.ts';
import { VERSION_STATUS_COLORS } from './quote-actions.ts';

export function VersionStatusTag({ status }: { status: QuoteVersionStatus }) {
  const { t } = useTranslation('cpq-quotes');
  return (
    <Tag color={VERSION_STATUS_COLORS[status]} data-testid="version-status" data-status={status}>
      {t(`statuses.version.${status}`)}
    </Tag>
  );
}

const QUOTE_COLORS: Record<Quote['status'], string> = { open: 'blue', accepted: 'success', closed: 'default' };

export function QuoteStatusTag({ status }: { status: Quote['status'] }) {
  const { t } = useTranslation('cpq-quotes');
  return (
    <Tag color={QUOTE_COLORS[status]} data-testid="quote-status" data-status={status}>
      {t(`statuses.quote.${status}`)}
    </Tag>
  );
}

const APPROVAL_COLORS: Record<ApprovalRequest['status'], string> = { pending: 'processing', approved: 'success', rejected: 'error', recalled: 'default' };

export function ApprovalStatusTag({ status }: { status: ApprovalRequest['status'] }) {
  const { t } = useTranslation('cpq-quotes');
  return (
    <Tag color={APPROVAL_COLORS[status]} data-testid="approval-status" data-status={status}>
      {t(`statuses.approval.${status}`)}
    </Tag>
  );
}

const CONTRACT_COLORS: Record<ContractStatus, string> = { active: 'success', completed: 'blue', terminated: 'default' };

export function ContractStatusTag({ status }: { status: ContractStatus }) {
  const { t } = useTranslation('cpq-quotes');
  return (
    <Tag color={CONTRACT_COLORS[status]} data-testid="contract-status" data-status={status}>
      {t(`statuses.contract.${status}`)}
    </Tag>
  );
}
