import { UploadOutlined } from '@ant-design/icons';
import { Alert, Button, Descriptions, Modal, Space, Table, Typography } from 'antd';
import { type ChangeEvent, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ProblemAlert } from '../../../components/problem-alert.tsx';
import { ApiProblem } from '../../../http/api-problem.ts';
import { bytesToBase64 } from '../../crm/pipeline/import-wizard.ts';

/** What both workbook imports (a price book, the rules) report. */
export interface XlsxImportReport {
  dryRun: boolean;
  applied: boolean;
  rows: number;
  created: number;
  updated: number;
  removed?: number;
  unchanged: number;
  issues: { sheet: string; row: number; column: string | null; message: string }[];
}

/** The JSON body limit is 1 MiB; base64 grows a file by a third. */
const MAX_BYTES = 750 * 1024;

/**
 * Import a workbook in two steps: a dry run lists every row's problem and what would change;
 * only a clean dry run may be committed, and the commit is all-or-nothing on the server.
 */
export function XlsxImportModal<R extends XlsxImportReport>({
  title,
  run,
  onClose,
  onApplied,
  testId,
}: {
  title: string;
  run: (fileBase64: string, dryRun: boolean) => Promise<R>;
  onClose: () => void;
  onApplied: (report: R) => void;
  testId: string;
}) {
  const { t } = useTranslation(['cpq-catalog', 'common']);
  const input = useRef<HTMLInputElement>(null);
  const [file, setFile] = useState<{ name: string; base64: string } | null>(null);
  const [report, setReport] = useState<R | null>(null);
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const [busy, setBusy] = useState(false);
  const [tooBig, setTooBig] = useState(false);

  const call = async (base64: string, dryRun: boolean) => {
    setBusy(true);
    setProblem(null);
    try {
      const result = await run(base64, dryRun);
      setReport(result);
      if (!dryRun && result.applied) onApplied(result);
    } catch (err) {
      if (!(err instanceof ApiProblem)) throw err;
      setProblem(err);
      const issues = err.document['issues'];
      // A commit refused for its rows carries the same row list as a dry run.
      if (Array.isArray(issues) && report) setReport({ ...report, issues: issues as R['issues'] });
    } finally {
      setBusy(false);
    }
  };

  const onFile = async (e: ChangeEvent<HTMLInputElement>) => {
    const chosen = e.target.files?.[0];
    e.target.value = '';
    if (!chosen) return;
    setTooBig(chosen.size > MAX_BYTES);
    setReport(null);
    if (chosen.size > MAX_BYTES) return;
    const base64 = bytesToBase64(new Uint8Array(await chosen.arrayBuffer()));
    setFile({ name: chosen.name, base64 });
    await call(base64, true);
  };

  const clean = !!report && report.dryRun && report.issues.length === 0;
  return (
    <Modal
      open
      title={title}
      width={880}
      onCancel={onClose}
      data-testid={testId}
      footer={
        <Space>
          <Button onClick={onClose}>{report?.applied ? t('common:actions.back') : t('common:actions.cancel')}</Button>
          {!report?.applied && (
            <Button type="primary" disabled={!clean || !file} loading={busy} onClick={() => file && void call(file.base64, false)} data-testid={`${testId}-commit`}>
              {t('import.commit')}
            </Button>
          )}
        </Space>
      }
    >
      <Typography.Paragraph type="secondary">{t('import.help')}</Typography.Paragraph>
      <input
        ref={input}
        type="file"
        accept=".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        style={{ display: 'none' }}
        onChange={(e) => void onFile(e)}
        data-testid={`${testId}-file`}
      />
      <Space style={{ marginBottom: 16 }}>
        <Button icon={<UploadOutlined />} loading={busy && !report} onClick={() => input.current?.click()} data-testid={`${testId}-choose`}>
          {t('import.choose')}
        </Button>
        {file && <Typography.Text>{file.name}</Typography.Text>}
      </Space>
      {tooBig && <Alert type="error" showIcon title={t('import.tooBig', { kb: MAX_BYTES / 1024 })} style={{ marginBottom: 16 }} />}
      <ProblemAlert problem={problem} />
      {report && (
        <>
          <Descriptions size="small" bordered column={5} style={{ marginBottom: 16 }} data-testid={`${testId}-summary`}>
            <Descriptions.Item label={t('import.rows')}>{report.rows}</Descriptions.Item>
            <Descriptions.Item label={t('import.created')}>
              <span data-testid={`${testId}-created`}>{report.created}</span>
            </Descriptions.Item>
            <Descriptions.Item label={t('import.updated')}>
              <span data-testid={`${testId}-updated`}>{report.updated}</span>
            </Descriptions.Item>
            {report.removed !== undefined && <Descriptions.Item label={t('import.removed')}>{report.removed}</Descriptions.Item>}
            <Descriptions.Item label={t('import.unchanged')}>{report.unchanged}</Descriptions.Item>
          </Descriptions>
          {report.applied ? (
            <Alert type="success" showIcon title={t('import.applied')} data-testid={`${testId}-applied`} />
          ) : report.issues.length === 0 ? (
            <Alert type="info" showIcon title={t('import.clean')} data-testid={`${testId}-clean`} />
          ) : (
            <Alert type="error" showIcon title={t('import.hasIssues', { count: report.issues.length })} style={{ marginBottom: 8 }} />
          )}
          {report.issues.length > 0 && (
            <Table
              size="small"
              rowKey={(i) => `${i.sheet}:${i.row}:${i.column ?? ''}:${i.message}`}
              dataSource={report.issues}
              pagination={report.issues.length > 50 ? { pageSize: 50 } : false}
              onRow={(i) => ({ 'data-testid': `${testId}-issue`, 'data-row': i.row, 'data-sheet': i.sheet }) as object}
              columns={[
                { title: t('import.sheet'), dataIndex: 'sheet', width: 110 },
                { title: t('import.row'), dataIndex: 'row', width: 70 },
                { title: t('import.column'), dataIndex: 'column', width: 110, render: (c: string | null) => c ?? '—' },
                { title: t('import.message'), dataIndex: 'message' },
              ]}
            />
          )}
        </>
      )}
    </Modal>
  );
}
