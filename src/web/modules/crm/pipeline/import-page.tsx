import { DownloadOutlined, UploadOutlined } from '@ant-design/icons';
import { useMutation, useQuery } from '@tanstack/react-query';
import { Alert, Button, Card, Checkbox, Descriptions, Progress, Radio, Result, Select, Space, Statistic, Steps, Table, Tag, Typography } from 'antd';
import { type ChangeEvent, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import {
  DEDUPE_MODES,
  type DedupeMode,
  IMPORT_ENTITIES,
  type ImportEntity,
  type ImportJob,
  type ImportRowError,
  MAX_IMPORT_BYTES,
} from '../../../../server/modules/crm/import-contract.ts';
import { PageHeader } from '../../../components/page-header.tsx';
import { useShowProblem } from '../../../components/use-show-problem.ts';
import { ProblemAlert } from '../../../components/problem-alert.tsx';
import { ApiProblem } from '../../../http/api-problem.ts';
import { newIdempotencyKey } from '../../../http/idempotency-key.ts';
import { useLocale } from '../../../i18n/use-locale.ts';
import { downloadFile } from './file-download.ts';
import { importApi, importKeys } from './import-api.ts';
import { bytesToBase64, compactMapping, doubleMappedColumns, groupByRow, initialMapping, missingRequired, progressPercent } from './import-wizard.ts';

type Step = 0 | 1 | 2 | 3;

/** /crm/import: upload a CSV or XLSX file, map its columns, dry-run it, then commit it with progress. */
export function ImportPage() {
  const { t } = useTranslation('pipeline');
  const [entity, setEntity] = useState<ImportEntity>('account');
  const [job, setJob] = useState<ImportJob | null>(null);
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const step: Step = !job ? 0 : job.status === 'uploaded' ? 1 : job.status === 'validated' ? 2 : 3;
  const onProblem = (err: unknown) => setProblem(err instanceof ApiProblem ? err : null);

  return (
    <div data-testid="import-page">
      <PageHeader title={t('import.title')} subtitle={t('import.subtitle')} />
      <Steps
        current={step}
        style={{ marginBottom: 16 }}
        items={[{ title: t('import.steps.upload') }, { title: t('import.steps.map') }, { title: t('import.steps.check') }, { title: t('import.steps.commit') }]}
      />
      <ProblemAlert problem={problem} unmatched={problem?.errors ?? []} />
      {step === 0 && (
        <UploadStep
          entity={entity}
          onEntity={setEntity}
          onUploaded={(j) => {
            setProblem(null);
            setJob(j);
          }}
          onProblem={onProblem}
        />
      )}
      {job && step === 1 && <MapStep job={job} onChecked={(j) => (setProblem(null), setJob(j))} onProblem={onProblem} />}
      {job && step === 2 && (
        <CheckStep job={job} onBack={() => setJob({ ...job, status: 'uploaded' })} onCommitted={(j) => (setProblem(null), setJob(j))} onProblem={onProblem} />
      )}
      {job && step === 3 && <CommitStep job={job} onRestart={() => setJob(null)} />}
    </div>
  );
}

function UploadStep({
  entity,
  onEntity,
  onUploaded,
  onProblem,
}: {
  entity: ImportEntity;
  onEntity: (e: ImportEntity) => void;
  onUploaded: (job: ImportJob) => void;
  onProblem: (err: unknown) => void;
}) {
  const { t } = useTranslation('pipeline');
  const input = useRef<HTMLInputElement>(null);
  const [tooBig, setTooBig] = useState(false);
  const upload = useMutation({
    mutationFn: async (file: File) => {
      const bytes = new Uint8Array(await file.arrayBuffer());
      return importApi.upload({ entity, fileName: file.name, contentBase64: bytesToBase64(bytes) }, newIdempotencyKey());
    },
    onSuccess: onUploaded,
    onError: onProblem,
  });
  const onFile = (e: ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0];
    e.target.value = '';
    if (!file) return;
    setTooBig(file.size > MAX_IMPORT_BYTES);
    if (file.size <= MAX_IMPORT_BYTES) upload.mutate(file);
  };
  return (
    <Card size="small">
      <Space direction="vertical" size={16}>
        <div>
          <Typography.Text strong style={{ display: 'block', marginBottom: 8 }}>
            {t('import.entity')}
          </Typography.Text>
          <Radio.Group value={entity} onChange={(e) => onEntity(e.target.value as ImportEntity)} data-testid="import-entity">
            {IMPORT_ENTITIES.map((e) => (
              <Radio.Button key={e} value={e}>
                <span data-testid={`import-entity-${e}`}>{t(`import.entities.${e}`)}</span>
              </Radio.Button>
            ))}
          </Radio.Group>
        </div>
        <div>
          <input ref={input} type="file" accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" onChange={onFile} style={{ display: 'none' }} data-testid="import-file" />
          <Button type="primary" icon={<UploadOutlined />} loading={upload.isPending} onClick={() => input.current?.click()} data-testid="import-choose-file">
            {t('import.chooseFile')}
          </Button>
          <Typography.Text type="secondary" style={{ marginInlineStart: 12 }}>
            {t('import.fileHint', { mb: MAX_IMPORT_BYTES / 1024 / 1024 })}
          </Typography.Text>
        </div>
        {tooBig && <Alert type="error" showIcon title={t('import.tooBig', { mb: MAX_IMPORT_BYTES / 1024 / 1024 })} />}
      </Space>
    </Card>
  );
}

function FileFacts({ job }: { job: ImportJob }) {
  const { t } = useTranslation('pipeline');
  return (
    <Descriptions size="small" column={{ xs: 1, md: 4 }} bordered style={{ marginBottom: 16 }} data-testid="import-facts">
      <Descriptions.Item label={t('import.file')}>{job.fileName}</Descriptions.Item>
      <Descriptions.Item label={t('import.format')}>{job.format.toUpperCase()}</Descriptions.Item>
      <Descriptions.Item label={t('import.encoding')}>
        <span data-testid="import-encoding">{job.encoding}</span>
      </Descriptions.Item>
      <Descriptions.Item label={t('import.rows')}>
        <span data-testid="import-row-count">{job.rowCount}</span>
      </Descriptions.Item>
    </Descriptions>
  );
}

function MapStep({ job, onChecked, onProblem }: { job: ImportJob; onChecked: (job: ImportJob) => void; onProblem: (err: unknown) => void }) {
  const { t } = useTranslation('pipeline');
  const locale = useLocale();
  const [mapping, setMapping] = useState<Record<string, string | undefined>>(() => job.mapping ?? initialMapping(job));
  const [dedupe, setDedupe] = useState<DedupeMode>(job.dedupe ?? 'skip');
  const compact = compactMapping(mapping);
  const missing = missingRequired(job.fields, compact);
  const doubled = doubleMappedColumns(compact);
  const label = (f: { labels: { zh: string; en: string } }) => (locale === 'en' ? f.labels.en : f.labels.zh);
  const dryRun = useMutation({
    mutationFn: () => importApi.dryRun(job.id, { version: job.version, mapping: compact, dedupe }),
    onSuccess: onChecked,
    onError: onProblem,
  });

  return (
    <>
      <FileFacts job={job} />
      <Card size="small" title={t('import.sample')} style={{ marginBottom: 16 }}>
        <Table
          size="small"
          pagination={false}
          scroll={{ x: true }}
          rowKey={(_, i) => String(i)}
          dataSource={job.sample.map((r) => Object.fromEntries(job.columns.map((c, i) => [c, r[i] ?? ''])))}
          columns={job.columns.map((c) => ({ title: c, dataIndex: c, key: c }))}
          data-testid="import-sample"
        />
      </Card>
      <Card size="small" title={t('import.mapping')}>
        <Table
          size="small"
          pagination={false}
          rowKey="field"
          dataSource={job.fields}
          data-testid="import-mapping"
          onRow={(f) => ({ 'data-testid': 'import-mapping-row', 'data-field': f.field }) as object}
          columns={[
            {
              title: t('import.field'),
              key: 'field',
              render: (_, f) => (
                <Space size={4}>
                  {label(f)}
                  {f.required && <Tag color="red">{t('import.required')}</Tag>}
                </Space>
              ),
            },
            {
              title: t('import.column'),
              key: 'column',
              render: (_, f) => (
                <Select
                  allowClear
                  style={{ width: 260 }}
                  value={mapping[f.field]}
                  onChange={(v: string | undefined) => setMapping((m) => ({ ...m, [f.field]: v }))}
                  options={job.columns.map((c) => ({ value: c, label: c }))}
                  placeholder={t('import.notImported')}
                  status={mapping[f.field] && doubled.includes(mapping[f.field]!) ? 'warning' : undefined}
                  data-testid={`import-map-${f.field}`}
                />
              ),
            },
          ]}
        />
        <Space direction="vertical" style={{ marginTop: 16 }}>
          <Typography.Text strong>{t('import.dedupe')}</Typography.Text>
          <Radio.Group value={dedupe} onChange={(e) => setDedupe(e.target.value as DedupeMode)} data-testid="import-dedupe">
            {DEDUPE_MODES.map((d) => (
              <Radio key={d} value={d}>
                <span data-testid={`import-dedupe-${d}`}>{t(`import.dedupeModes.${d}`)}</span>
              </Radio>
            ))}
          </Radio.Group>
          {missing.length > 0 && (
            <Alert type="warning" showIcon title={t('import.missingRequired', { fields: missing.map((m) => label(job.fields.find((f) => f.field === m)!)).join(', ') })} />
          )}
          {doubled.length > 0 && <Alert type="warning" showIcon title={t('import.doubleMapped', { columns: doubled.join(', ') })} />}
          <Button type="primary" onClick={() => dryRun.mutate()} loading={dryRun.isPending} disabled={missing.length > 0 || doubled.length > 0} data-testid="import-dry-run">
            {t('import.dryRun')}
          </Button>
        </Space>
      </Card>
    </>
  );
}

function ErrorReportLinks({ job }: { job: ImportJob }) {
  const { t } = useTranslation('pipeline');
  const showProblem = useShowProblem();
  const [busy, setBusy] = useState<'csv' | 'xlsx' | null>(null);
  const download = (format: 'csv' | 'xlsx') => {
    setBusy(format);
    downloadFile(importApi.errorReportUrl(job.id, format), `import-errors.${format}`)
      .catch(showProblem)
      .finally(() => setBusy(null));
  };
  return (
    <Space>
      <Button icon={<DownloadOutlined />} loading={busy === 'csv'} onClick={() => download('csv')} data-testid="import-errors-csv">
        {t('import.errorReportCsv')}
      </Button>
      <Button icon={<DownloadOutlined />} loading={busy === 'xlsx'} onClick={() => download('xlsx')} data-testid="import-errors-xlsx">
        {t('import.errorReportXlsx')}
      </Button>
    </Space>
  );
}

function CheckStep({ job, onBack, onCommitted, onProblem }: { job: ImportJob; onBack: () => void; onCommitted: (job: ImportJob) => void; onProblem: (err: unknown) => void }) {
  const { t } = useTranslation('pipeline');
  const report = job.report;
  const [skipInvalid, setSkipInvalid] = useState(false);
  const [confirmSimilar, setConfirmSimilar] = useState(false);
  const commit = useMutation({
    mutationFn: () => importApi.commit(job.id, { version: job.version, skipInvalid, confirmSimilar }),
    onSuccess: onCommitted,
    onError: onProblem,
  });
  const rows = useMemo(() => groupByRow(report?.errors ?? []), [report]);
  if (!report) return null;
  const blocked = (report.invalid > 0 && !skipInvalid) || (report.warnings > 0 && !confirmSimilar) || report.valid === 0;

  return (
    <>
      <FileFacts job={job} />
      <Card size="small" title={t('import.report')} extra={report.errors.length > 0 && <ErrorReportLinks job={job} />} data-testid="import-report">
        <Space size={32} wrap style={{ marginBottom: 16 }}>
          <Statistic title={t('import.valid')} value={report.valid} valueStyle={{ color: '#389e0d' }} data-testid="import-valid" />
          <Statistic title={t('import.invalid')} value={report.invalid} valueStyle={report.invalid ? { color: '#cf1322' } : undefined} data-testid="import-invalid" />
          <Statistic title={t('import.duplicates')} value={report.duplicates} />
          <Statistic title={t('import.warnings')} value={report.warnings} />
          <Statistic title={t('import.toCreate')} value={report.toCreate} />
          <Statistic title={t('import.toUpdate')} value={report.toUpdate} />
          <Statistic title={t('import.toSkip')} value={report.toSkip} />
        </Space>
        {rows.length === 0 ? (
          <Alert type="success" showIcon title={t('import.noProblems')} />
        ) : (
          <Table<ImportRowError>
            size="small"
            rowKey={(e, i) => `${e.row}:${e.code}:${e.column ?? ''}:${i}`}
            dataSource={report.errors.slice().sort((a, b) => a.row - b.row)}
            pagination={report.errors.length > 50 ? { pageSize: 50, showSizeChanger: false } : false}
            data-testid="import-errors"
            onRow={(e) => ({ 'data-testid': 'import-error-row', 'data-row': e.row, 'data-severity': e.severity, 'data-code': e.code }) as object}
            columns={[
              { title: t('import.row'), dataIndex: 'row', width: 80 },
              { title: t('import.column'), dataIndex: 'column', render: (v: string | null) => v ?? '—' },
              {
                title: t('import.severity'),
                dataIndex: 'severity',
                width: 100,
                render: (v: 'error' | 'warning') => <Tag color={v === 'error' ? 'red' : 'gold'}>{t(`import.severities.${v}`)}</Tag>,
              },
              { title: t('import.message'), dataIndex: 'message', render: (v: string) => <span data-testid="import-error-message">{v}</span> },
            ]}
          />
        )}
        <Typography.Text type="secondary" style={{ display: 'block', marginTop: 8 }}>
          {t('import.rowsWithProblems', { count: rows.length })}
        </Typography.Text>
        <Space direction="vertical" style={{ marginTop: 16 }}>
          {report.invalid > 0 && (
            <Checkbox checked={skipInvalid} onChange={(e) => setSkipInvalid(e.target.checked)}>
              <span data-testid="import-skip-invalid">{t('import.skipInvalid', { count: report.invalid })}</span>
            </Checkbox>
          )}
          {report.warnings > 0 && (
            <Checkbox checked={confirmSimilar} onChange={(e) => setConfirmSimilar(e.target.checked)}>
              <span data-testid="import-confirm-similar">{t('import.confirmSimilar', { count: report.warnings })}</span>
            </Checkbox>
          )}
          <Space>
            <Button onClick={onBack} data-testid="import-back">
              {t('import.backToMapping')}
            </Button>
            <Button type="primary" disabled={blocked} loading={commit.isPending} onClick={() => commit.mutate()} data-testid="import-commit">
              {t('import.commit', { count: report.valid })}
            </Button>
          </Space>
        </Space>
      </Card>
    </>
  );
}

function CommitStep({ job: started, onRestart }: { job: ImportJob; onRestart: () => void }) {
  const { t } = useTranslation('pipeline');
  const running = (j: ImportJob) => j.status === 'running';
  const poll = useQuery({
    queryKey: importKeys.job(started.id),
    queryFn: ({ signal }) => importApi.get(started.id, signal),
    initialData: started,
    refetchInterval: (q) => (q.state.data && running(q.state.data) ? 1000 : false),
  });
  const job = poll.data;
  if (running(job)) {
    return (
      <Card size="small" data-testid="import-progress">
        <Typography.Paragraph>{t('import.running', { processed: job.processed, total: job.total })}</Typography.Paragraph>
        <Progress percent={progressPercent(job)} status="active" />
      </Card>
    );
  }
  const result = job.result;
  const failed = job.status === 'failed';
  return (
    <Result
      status={failed ? 'error' : 'success'}
      title={failed ? t('import.failed') : t('import.completed')}
      subTitle={
        result && (
          <span data-testid="import-result" data-created={result.created} data-updated={result.updated} data-skipped={result.skipped}>
            {t('import.resultCounts', { created: result.created, updated: result.updated, skipped: result.skipped })}
            {result.error && (
              <span style={{ display: 'block' }}>
                {t('import.failedAt', { batch: result.error.batch, row: result.error.row ?? '—' })} {result.error.message}
              </span>
            )}
          </span>
        )
      }
      extra={
        <Space>
          {(job.report?.errors.length ?? 0) > 0 && <ErrorReportLinks job={job} />}
          <Button type="primary" onClick={onRestart} data-testid="import-again">
            {t('import.again')}
          </Button>
        </Space>
      }
    />
  );
}
