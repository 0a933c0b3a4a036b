import { useMutation } from '@tanstack/react-query';
import { Alert, Input, Modal, Space, Spin, Tag, Typography, type ButtonProps } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { QuoteDetail, QuoteVersion } from '../../../../server/modules/quotes/contract.ts';
import { ProblemAlert } from '../../../components/problem-alert.tsx';
import { ApiProblem } from '../../../http/api-problem.ts';
import { ApprovalStepsList, MetricsTable } from './approval-steps.tsx';
import { quotesApi } from './quotes-api.ts';
import { useApprovalPreview } from './quotes-queries.ts';

/** Submit a draft: first what approval it needs and why (levels, the rules that fired, approvers). */
export function SubmitModal({ version, onClose, onSubmitted }: { version: QuoteVersion; onClose: () => void; onSubmitted: (quote: QuoteDetail) => void }) {
  const { t } = useTranslation(['cpq-quotes', 'common']);
  const preview = useApprovalPreview(version.id);
  const [comment, setComment] = useState('');
  const submit = useMutation({
    mutationFn: () => quotesApi.submit(version.id, { version: version.version, ...(comment.trim() ? { comment: comment.trim() } : {}) }),
    onSuccess: (quote) => {
      onSubmitted(quote);
      onClose();
    },
  });
  const p = preview.data;
  const blocked = !!p?.blockedLevel;
  return (
    <Modal
      open
      width={760}
      title={t('submit.title', { version: version.number })}
      okText={p && !p.required ? t('submit.confirmNoApproval') : t('submit.confirm')}
      cancelText={t('common:actions.cancel')}
      okButtonProps={{ disabled: !p || blocked, loading: submit.isPending, 'data-testid': 'submit-confirm' } as ButtonProps}
      onOk={() => submit.mutate()}
      onCancel={onClose}
      destroyOnHidden
    >
      <div data-testid="submit-modal">
        <ProblemAlert problem={preview.error instanceof ApiProblem ? preview.error : submit.error instanceof ApiProblem ? submit.error : null} />
        {!p && !preview.error && <Spin />}
        {p && (
          <Space orientation="vertical" size={12} style={{ width: '100%' }}>
            {p.required ? (
              <Alert type="info" showIcon title={t('submit.required', { count: p.steps.length })} data-testid="submit-required" />
            ) : (
              <Alert type="success" showIcon title={t('submit.notRequired')} data-testid="submit-not-required" />
            )}
            {blocked && <Alert type="error" showIcon title={t('submit.blocked', { level: t(`levels.${p.blockedLevel!}`) })} data-testid="submit-blocked" />}
            <MetricsTable metrics={p.metrics} />
            {p.steps.length > 0 && <ApprovalStepsList steps={p.steps} showStatus={false} />}
            {p.skipped.length > 0 && (
              <Typography.Text type="secondary">
                {p.skipped.map((s) => t(`submit.skipped.${s.reason}`, { level: t(`levels.${s.level}`), by: t(`levels.${s.coveredBy}`) })).join(' · ')}
              </Typography.Text>
            )}
            {p.carried.length > 0 && (
              <Space wrap>
                {p.carried.map((c) => (
                  <Tag key={c.level} color="success">
                    {t('submit.carried', { level: t(`levels.${c.level}`), name: c.name })}
                  </Tag>
                ))}
              </Space>
            )}
            <Input.TextArea value={comment} onChange={(e) => setComment(e.target.value)} maxLength={2000} rows={2} placeholder={t('approvals.commentOptional')} data-testid="submit-comment" />
          </Space>
        )}
      </div>
    </Modal>
  );
}
