import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Button, Card, Empty, Input, Modal, Result, Space, Spin, Table, Tag, Timeline, Typography, type ButtonProps } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router-dom';
import type { ApprovalDiffDto, ApprovalRequestDetail } from '../../../../server/modules/quotes/approval-contract.ts';
import type { QuotePricedLine } from '../../../../server/modules/quotes/contract.ts';
import { PageHeader } from '../../../components/page-header.tsx';
import { ProblemAlert } from '../../../components/problem-alert.tsx';
import { ApiProblem } from '../../../http/api-problem.ts';
import { formatDateTime } from '../../../i18n/date-format.ts';
import { useLocale } from '../../../i18n/use-locale.ts';
import { useSession } from '../../org/auth/use-session.ts';
import { ApprovalStepsList, MetricsTable } from './approval-steps.tsx';
import { ApprovalStatusTag } from './quote-badges.tsx';
import { ExplanationDrawer, PricedLinesTable, TotalsTable } from './quote-figures.tsx';
import { quoteKeys, quotesApi } from './quotes-api.ts';
import { useApproval, useProductMap } from './quotes-queries.ts';

type Decision = 'approve' | 'reject' | 'recall';

/** /quotes/approvals/:id — one request: why it needs approval, the lines, what changed, the decisions; approve / reject / recall. */
export function ApprovalRequestPage() {
  const { t } = useTranslation(['cpq-quotes', 'common']);
  const { id } = useParams();
  const request = useApproval(id);
  const products = useProductMap();
  const locale = useLocale();
  const session = useSession();
  const client = useQueryClient();
  const [deciding, setDeciding] = useState<Decision | null>(null);
  const [comment, setComment] = useState('');
  const [explaining, setExplaining] = useState<QuotePricedLine | null>(null);

  const decide = useMutation({
    mutationFn: ({ kind, r }: { kind: Decision; r: ApprovalRequestDetail }) => {
      const text = comment.trim();
      if (kind === 'approve') return quotesApi.approve(r.id, { version: r.version, ...(r.currentLevel ? { level: r.currentLevel } : {}), ...(text ? { comment: text } : {}) });
      if (kind === 'reject') return quotesApi.reject(r.id, { version: r.version, ...(r.currentLevel ? { level: r.currentLevel } : {}), comment: text });
      return quotesApi.recall(r.id, { version: r.version, ...(text ? { comment: text } : {}) });
    },
    onSuccess: (updated) => {
      client.setQueryData(quoteKeys.approval(updated.id), updated);
      void client.invalidateQueries({ queryKey: quoteKeys.approvals });
      void client.invalidateQueries({ queryKey: quoteKeys.quote(updated.quoteId) });
      void client.invalidateQueries({ queryKey: quoteKeys.lists });
      setDeciding(null);
      setComment('');
    },
  });

  if (request.error instanceof ApiProblem) {
    return request.error.status === 404 ? <Result status="404" title={t('approvals.notFound')} /> : <ProblemAlert problem={request.error} />;
  }
  if (!request.data) return <Spin />;
  const r = request.data;
  const time = (iso: string) => formatDateTime(iso, locale, session.user.timeZone);
  const commentRequired = deciding === 'reject';

  return (
    <div data-testid="approval-request" data-id={r.id} data-status={r.status}>
      <PageHeader
        title={
          <Space>
            {t('approvals.requestTitle', { number: r.quoteNumber, version: r.versionNo })}
            <ApprovalStatusTag status={r.status} />
          </Space>
        }
        subtitle={
          <Space separator="·">
            <Link to={`/crm/accounts/${r.accountId}`}>{r.accountName}</Link>
            <span>{t('approvals.owner', { name: r.ownerName })}</span>
            <span>{t('approvals.submittedAt', { name: r.submittedByName, at: time(r.submittedAt) })}</span>
          </Space>
        }
        extra={
          <>
            <Link to={`/cpq/quotes/${r.quoteId}?v=${r.versionNo}`} data-testid="request-open-quote">
              {t('approvals.openQuote')}
            </Link>
            <Link to="/cpq/approvals">{t('approvals.backToInbox')}</Link>
          </>
        }
      />
      <ProblemAlert problem={decide.error instanceof ApiProblem ? decide.error : null} />
      <Space wrap style={{ marginBottom: 16 }} data-testid="request-actions">
        {r.canAct && (
          <>
            <Button type="primary" onClick={() => setDeciding('approve')} data-testid="request-approve">
              {t('approvals.approve')}
            </Button>
            <Button danger onClick={() => setDeciding('reject')} data-testid="request-reject">
              {t('approvals.reject')}
            </Button>
          </>
        )}
        {r.canRecall && (
          <Button onClick={() => setDeciding('recall')} data-testid="request-recall">
            {t('actions.recall')}
          </Button>
        )}
        {r.status === 'pending' && !r.canAct && r.currentLevel && (
          <Typography.Text type="secondary">{t('approvals.waitingFor', { level: t(`levels.${r.currentLevel}`) })}</Typography.Text>
        )}
      </Space>

      <Card size="small" title={t('approvals.whyTitle')} style={{ marginBottom: 16 }}>
        <Space orientation="vertical" size={12} style={{ width: '100%' }}>
          <MetricsTable metrics={r.metrics} />
          <ApprovalStepsList steps={r.steps} showStatus />
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {t('approvals.policyVersion', { version: r.policyVersion })}
          </Typography.Text>
        </Space>
      </Card>

      <Card size="small" title={t('approvals.changesTitle')} style={{ marginBottom: 16 }}>
        <ChangesSinceApproved diff={r.changesSinceApproved} />
      </Card>

      <Card size="small" title={t('approvals.linesTitle')} style={{ marginBottom: 16 }}>
        <PricedLinesTable priced={r.lines} products={products} onExplain={setExplaining} />
        <div style={{ marginTop: 16 }}>
          <TotalsTable totals={r.totals} />
        </div>
      </Card>

      <Card size="small" title={t('approvals.decisionsTitle')}>
        <Timeline
          data-testid="request-decisions"
          items={r.decisions.map((d, i) => ({
            key: `${i}`,
            color: d.decision === 'rejected' ? 'red' : d.decision === 'approved' || d.decision === 'carried' ? 'green' : 'blue',
            content: (
              <div data-testid="request-decision" data-decision={d.decision}>
                <strong>{d.name}</strong> · {t(`statuses.decision.${d.decision}`)}
                {d.level && <Tag style={{ marginInlineStart: 8 }}>{t(`levels.${d.level}`)}</Tag>}
                <Typography.Text type="secondary" style={{ marginInlineStart: 8, fontSize: 12 }}>
                  {time(d.at)}
                </Typography.Text>
                {d.comment && <div style={{ whiteSpace: 'pre-wrap' }}>{d.comment}</div>}
              </div>
            ),
          }))}
        />
      </Card>

      <Modal
        open={deciding !== null}
        title={deciding ? t(`approvals.confirm.${deciding}`) : ''}
        okText={deciding === 'approve' ? t('approvals.approve') : deciding === 'reject' ? t('approvals.reject') : t('actions.recall')}
        cancelText={t('common:actions.cancel')}
        okButtonProps={{ danger: deciding !== 'approve', disabled: commentRequired && comment.trim() === '', loading: decide.isPending, 'data-testid': 'decision-confirm' } as ButtonProps}
        onOk={() => deciding && decide.mutate({ kind: deciding, r })}
        onCancel={() => setDeciding(null)}
        destroyOnHidden
      >
        <Input.TextArea
          value={comment}
          onChange={(e) => setComment(e.target.value)}
          maxLength={2000}
          rows={3}
          placeholder={commentRequired ? t('approvals.commentRequired') : t('approvals.commentOptional')}
          status={commentRequired && comment.trim() === '' ? 'warning' : undefined}
          data-testid="decision-comment"
        />
      </Modal>
      <ExplanationDrawer line={explaining} version={request.data ? { id: request.data.versionId, version: 0 } : null} products={products} onClose={() => setExplaining(null)} />
    </div>
  );
}

/** The diff against the quote's last approved snapshot: metrics before → after, lines added / removed / changed; worse in red. */
function ChangesSinceApproved({ diff }: { diff: ApprovalDiffDto }) {
  const { t } = useTranslation('cpq-quotes');
  if (diff.sinceVersionId === null) return <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('approvals.noEarlierApproval')} data-testid="changes-none" />;
  const changedMetrics = diff.metrics.filter((m) => m.before !== m.after);
  if (changedMetrics.length === 0 && diff.lines.length === 0) {
    return <Typography.Text data-testid="changes-none">{t('approvals.noChanges', { version: diff.sinceVersionNo ?? '?' })}</Typography.Text>;
  }
  const worse = (isWorse: boolean, text: string) => <Typography.Text type={isWorse ? 'danger' : undefined}>{text}</Typography.Text>;
  return (
    <Space orientation="vertical" style={{ width: '100%' }} data-testid="changes-since-approved">
      <Typography.Text type="secondary">{t('approvals.sinceVersion', { version: diff.sinceVersionNo ?? '?' })}</Typography.Text>
      {changedMetrics.length > 0 && (
        <Table
          size="small"
          pagination={false}
          rowKey="metric"
          dataSource={changedMetrics}
          columns={[
            { title: t('approvals.metric'), key: 'm', render: (_, m) => t(`metrics.${m.metric}`) },
            { title: t('approvals.before'), dataIndex: 'before' },
            { title: t('approvals.after'), key: 'after', render: (_, m) => worse(m.worse, m.after) },
          ]}
        />
      )}
      {diff.lines.length > 0 && (
        <Table
          size="small"
          pagination={false}
          rowKey="lineId"
          dataSource={diff.lines}
          columns={[
            { title: '#', dataIndex: 'lineId' },
            { title: t('approvals.change'), key: 'kind', render: (_, l) => <Tag color={l.worse ? 'error' : 'default'}>{t(`approvals.kinds.${l.kind}`)}</Tag> },
            {
              title: t('approvals.fields'),
              key: 'fields',
              render: (_, l) =>
                l.fields.map((f) => (
                  <div key={f.field}>
                    {f.field}: {f.before ?? '—'} → {worse(f.worse, f.after ?? '—')}
                  </div>
                )),
            },
          ]}
        />
      )}
    </Space>
  );
}
