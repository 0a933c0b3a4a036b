import { CheckCircleOutlined, WarningOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Alert, Button, Input, Space, Table, Tag, Typography } from 'antd';
import type { TextAreaRef } from 'antd/es/input/TextArea';
import { useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useDebouncedValue } from '../../../components/use-debounced-value.ts';
import { caretExcerpt, checkCondition, type ConditionProblem, insertAt, insertionFor, offsetOf } from './condition-check.ts';
import { pricingApi, pricingKeys } from './pricing-api.ts';

/** `quote.qtyByGroup["<groupId>"]` → `quote_qtyByGroup_groupId`: a message key for a documented path. */
export function contextKey(path: string): string {
  return path.replace(/[^A-Za-z0-9]+/g, '_').replace(/^_+|_+$/g, '');
}

/**
 * The CEL condition of a rule: a monospace editor checked as the user types with the engine's
 * compiler (the same check the server makes at save), an explicit "check" that reports the
 * result, the position of a problem (line, column, a caret under it, the cursor put there), and
 * the documented context fields from the API, inserted at the cursor with a click.
 */
export function ConditionEditor({ value, onChange, disabled }: { value?: string; onChange?: (value: string) => void; disabled?: boolean }) {
  const { t } = useTranslation('cpq-catalog');
  const ref = useRef<TextAreaRef>(null);
  const source = value ?? '';
  const [checked, setChecked] = useState<{ source: string; problem: ConditionProblem | null } | null>(null);
  const [filter, setFilter] = useState('');
  const debounced = useDebouncedValue(source, 400);
  const live = useMemo(() => checkCondition(debounced), [debounced]);
  const context = useQuery({ queryKey: pricingKeys.context, queryFn: ({ signal }) => pricingApi.context(signal), staleTime: Infinity });
  // The explicit check wins while the text is the one checked; otherwise the live one.
  const result = checked && checked.source === source ? checked.problem : debounced === source ? live : null;
  const shownCheck = checked && checked.source === source;

  const focusAt = (offset: number) => {
    const el = ref.current?.resizableTextArea?.textArea;
    if (!el) return;
    el.focus();
    el.setSelectionRange(offset, offset);
  };
  const runCheck = () => {
    const problem = checkCondition(source);
    setChecked({ source, problem });
    if (problem) focusAt(offsetOf(source, problem.line, problem.column));
  };
  const insert = (path: string) => {
    const el = ref.current?.resizableTextArea?.textArea;
    const start = el?.selectionStart ?? source.length;
    const end = el?.selectionEnd ?? source.length;
    const next = insertAt(source, start, end, insertionFor(path));
    onChange?.(next.text);
    requestAnimationFrame(() => focusAt(next.cursor));
  };
  const fields = (context.data?.items ?? []).filter((f) => !filter || f.path.toLowerCase().includes(filter.toLowerCase()));
  const excerpt = result ? caretExcerpt(source, result.line, result.column) : null;

  return (
    <div data-testid="condition-editor">
      <Input.TextArea
        ref={ref}
        value={source}
        disabled={disabled}
        onChange={(e) => onChange?.(e.target.value)}
        autoSize={{ minRows: 3, maxRows: 12 }}
        spellCheck={false}
        placeholder={t('condition.placeholder')}
        status={result ? 'error' : undefined}
        style={{ fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace', fontSize: 13 }}
        data-testid="condition-input"
      />
      <Space style={{ marginTop: 8 }} wrap>
        <Button size="small" onClick={runCheck} disabled={disabled} data-testid="condition-check">
          {t('condition.check')}
        </Button>
        {source.trim() === '' && <Typography.Text type="secondary">{t('condition.blank')}</Typography.Text>}
        {shownCheck && !result && source.trim() !== '' && (
          <Typography.Text type="success" data-testid="condition-ok">
            <CheckCircleOutlined /> {t('condition.ok')}
          </Typography.Text>
        )}
      </Space>
      {result && excerpt && (
        <Alert
          type="error"
          showIcon
          icon={<WarningOutlined />}
          style={{ marginTop: 8 }}
          title={
            <span data-testid="condition-position" data-line={result.line} data-column={result.column}>
              {t('condition.position', { line: result.line, column: result.column })}
            </span>
          }
          description={
            <>
              <div data-testid="condition-message">{result.message}</div>
              <pre style={{ margin: '6px 0 0', fontSize: 12, lineHeight: 1.4, overflowX: 'auto' }}>
                {excerpt.text}
                {'\n'}
                {excerpt.caret}
              </pre>
              <Button size="small" type="link" style={{ padding: 0 }} onClick={() => focusAt(offsetOf(source, result.line, result.column))}>
                {t('condition.goTo')}
              </Button>
            </>
          }
        />
      )}
      <details style={{ marginTop: 8 }} data-testid="condition-context">
        <summary style={{ cursor: 'pointer' }}>
          {t('condition.contextTitle', { count: context.data?.items.length ?? 0 })}
          {context.data && <Typography.Text type="secondary"> · {t('condition.timeZone', { zone: context.data.timeZone })}</Typography.Text>}
        </summary>
        <Typography.Paragraph type="secondary" style={{ margin: '6px 0' }}>
          {t('condition.contextHelp')}
        </Typography.Paragraph>
        <Input size="small" allowClear placeholder={t('condition.contextFilter')} onChange={(e) => setFilter(e.target.value)} style={{ width: 260, marginBottom: 6 }} />
        <Table
          size="small"
          rowKey="path"
          pagination={false}
          loading={context.isPending}
          dataSource={fields}
          scroll={{ y: 260 }}
          onRow={(f) => ({ 'data-testid': 'context-field', 'data-path': f.path }) as object}
          columns={[
            {
              title: t('condition.field'),
              key: 'path',
              width: 260,
              render: (_, f) => (
                <Button size="small" type="link" style={{ padding: 0, fontFamily: 'monospace' }} disabled={disabled} onClick={() => insert(f.path)}>
                  {f.path}
                </Button>
              ),
            },
            { title: t('condition.type'), key: 'type', width: 110, render: (_, f) => <Tag>{f.type}</Tag> },
            {
              title: t('condition.description'),
              key: 'description',
              render: (_, f) => t(`contextFields.${contextKey(f.path)}` as 'contextFields.customer_id', { defaultValue: f.description }),
            },
          ]}
        />
      </details>
    </div>
  );
}
