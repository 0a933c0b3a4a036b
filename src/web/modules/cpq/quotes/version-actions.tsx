import { DownloadOutlined, EyeOutlined, FilePdfOutlined } from '@ant-design/icons';
import { useMutation } from '@tanstack/react-query';
import { Button, Input, Modal, Select, Space, Tooltip, type ButtonProps } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router-dom';
import type { QuoteDetail, QuoteVersion } from '../../../../server/modules/quotes/contract.ts';
import type { Locale } from '../../../../shared/i18n/resources.ts';
import { useShowProblem } from '../../../components/use-show-problem.ts';
import { useLocale } from '../../../i18n/use-locale.ts';
import { useSession } from '../../org/auth/use-session.ts';
import { downloadFile } from '../../crm/pipeline/file-download.ts';
import { AcceptModal } from './accept-modal.tsx';
import { listVersionActions } from './quote-actions.ts';
import { quotePdfUrl, quotesApi } from './quotes-api.ts';
import { useContractList, usePendingRequestOf, useQuoteChanged } from './quotes-queries.ts';
import { SubmitModal } from './submit-modal.tsx';

/**
 * The buttons of one version, by its status (quote-actions.ts): save, submit (after the approval
 * preview), send, recall, new version, accept; the PDF in either language for every version.
 */
export function VersionActions({
  quote,
  version,
  approvalRequired,
  isDirty = false,
  save,
}: {
  quote: QuoteDetail;
  version: QuoteVersion;
  approvalRequired?: boolean | undefined;
  isDirty?: boolean;
  save?: { onSave: () => void; saving: boolean };
}) {
  const { t } = useTranslation(['cpq-quotes', 'common']);
  const session = useSession();
  const navigate = useNavigate();
  const quoteChanged = useQuoteChanged();
  const showProblem = useShowProblem();
  const [submitting, setSubmitting] = useState(false);
  const [accepting, setAccepting] = useState(false);
  const [recalling, setRecalling] = useState(false);
  const [recallComment, setRecallComment] = useState('');

  const isLatest = quote.latestVersionNo === version.number;
  const pending = usePendingRequestOf(quote.id, version.status === 'in_approval');
  const request = pending.data?.items.find((r) => r.versionId === version.id);
  const contracts = useContractList({ opportunityId: quote.opportunityId }, version.status === 'accepted');
  const contract = contracts.data?.pages.flatMap((p) => p.items).find((c) => c.quoteVersionId === version.id);

  const actions = listVersionActions({
    status: version.status,
    isLatest,
    canWrite: session.can('quotes.write'),
    isQuoteOpen: quote.status === 'open',
    approvalRequired,
    canRecall: request?.canRecall,
  });
  const has = (a: (typeof actions)[number]) => actions.includes(a);

  const send = useMutation({ mutationFn: () => quotesApi.send(version.id, version.version), onSuccess: quoteChanged, onError: showProblem });
  const revise = useMutation({
    // One Idempotency-Key per click (api.create makes it): a retried click is the same request.
    mutationFn: () => quotesApi.newVersion(quote.id, quote.version),
    onSuccess: (q) => {
      quoteChanged(q);
      void navigate(`/cpq/quotes/${q.id}?v=${q.latestVersionNo}`);
    },
    onError: showProblem,
  });
  const recall = useMutation({
    mutationFn: () => quotesApi.recall(request!.id, { version: request!.version, ...(recallComment.trim() ? { comment: recallComment.trim() } : {}) }),
    onSuccess: async () => {
      setRecalling(false);
      quoteChanged(await quotesApi.get(quote.id));
    },
    onError: showProblem,
  });
  const saveFirst = isDirty ? t('actions.saveFirst') : undefined;

  return (
    <Space wrap data-testid="version-actions" data-status={version.status}>
      {save && has('save') && (
        <Button type={isDirty ? 'primary' : 'default'} loading={save.saving} onClick={save.onSave} disabled={!isDirty} data-testid="action-save">
          {t('actions.save')}
        </Button>
      )}
      {has('submit') && (
        <Tooltip title={saveFirst}>
          <Button type={isDirty ? 'default' : 'primary'} disabled={isDirty} onClick={() => setSubmitting(true)} data-testid="action-submit">
            {t('actions.submit')}
          </Button>
        </Tooltip>
      )}
      {has('send') && (
        <Tooltip title={saveFirst}>
          <Button type="primary" disabled={isDirty} loading={send.isPending} onClick={() => send.mutate()} data-testid="action-send">
            {t('actions.send')}
          </Button>
        </Tooltip>
      )}
      {has('accept') && (
        <Button type="primary" onClick={() => setAccepting(true)} data-testid="action-accept">
          {t('actions.accept')}
        </Button>
      )}
      {has('recall') && (
        <Button danger onClick={() => setRecalling(true)} data-testid="action-recall">
          {t('actions.recall')}
        </Button>
      )}
      {request && (
        <Link to={`/cpq/approvals/${request.id}`} data-testid="action-open-request">
          {t('actions.openRequest')}
        </Link>
      )}
      {has('newVersion') && (
        <Button loading={revise.isPending} onClick={() => revise.mutate()} data-testid="action-new-version">
          {t('actions.newVersion')}
        </Button>
      )}
      {has('contract') && contract && (
        <Link to={`/cpq/contracts/${contract.id}`} data-testid="action-contract">
          {t('actions.viewContract', { number: contract.number })}
        </Link>
      )}
      <PdfActions quote={quote} version={version} />

      {submitting && <SubmitModal version={version} onClose={() => setSubmitting(false)} onSubmitted={quoteChanged} />}
      {accepting && (
        <AcceptModal
          version={version}
          onClose={() => setAccepting(false)}
          onAccepted={(result) => {
            setAccepting(false);
            quoteChanged(result.quote);
            void navigate(`/cpq/contracts/${result.contract.id}`);
          }}
        />
      )}
      <Modal
        open={recalling}
        title={t('recall.title')}
        okText={t('actions.recall')}
        cancelText={t('common:actions.cancel')}
        okButtonProps={{ danger: true, loading: recall.isPending, 'data-testid': 'recall-confirm' } as ButtonProps}
        onOk={() => recall.mutate()}
        onCancel={() => setRecalling(false)}
        destroyOnHidden
      >
        <p>{t('recall.hint')}</p>
        <Input.TextArea value={recallComment} onChange={(e) => setRecallComment(e.target.value)} maxLength={2000} rows={3} placeholder={t('approvals.commentOptional')} />
      </Modal>
    </Space>
  );
}

/** The version's PDF in zh or en: previewed in a frame, or downloaded as a file. */
function PdfActions({ quote, version }: { quote: QuoteDetail; version: QuoteVersion }) {
  const { t } = useTranslation(['cpq-quotes', 'common']);
  const uiLocale = useLocale();
  const showProblem = useShowProblem();
  const [locale, setLocale] = useState<Locale>(uiLocale);
  const [previewing, setPreviewing] = useState(false);
  const [downloading, setDownloading] = useState(false);
  const download = async () => {
    setDownloading(true);
    try {
      await downloadFile(quotePdfUrl(version.id, locale, true), `${quote.number}-v${version.number}-${locale}.pdf`);
    } catch (err) {
      showProblem(err);
    } finally {
      setDownloading(false);
    }
  };
  return (
    <Space.Compact>
      <Select<Locale>
        value={locale}
        onChange={setLocale}
        style={{ width: 110 }}
        options={[
          { value: 'zh-CN', label: t('pdf.zh') },
          { value: 'en', label: t('pdf.en') },
        ]}
        prefix={<FilePdfOutlined />}
        data-testid="pdf-locale"
      />
      <Button icon={<EyeOutlined />} onClick={() => setPreviewing(true)} data-testid="pdf-preview">
        {t('pdf.preview')}
      </Button>
      <Button icon={<DownloadOutlined />} loading={downloading} onClick={() => void download()} data-testid="pdf-download">
        {t('pdf.download')}
      </Button>
      <Modal
        open={previewing}
        title={t('pdf.title', { number: quote.number, version: version.number })}
        footer={
          <a href={quotePdfUrl(version.id, locale)} target="_blank" rel="noreferrer">
            {t('pdf.newTab')}
          </a>
        }
        onCancel={() => setPreviewing(false)}
        width={960}
        destroyOnHidden
      >
        <iframe title="pdf" src={quotePdfUrl(version.id, locale)} style={{ width: '100%', height: '75vh', border: 0 }} data-testid="pdf-frame" />
      </Modal>
    </Space.Compact>
  );
}
