import { Alert, List, Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import type { RuleFindingView } from '../../../../server/modules/pricing/contract.ts';

/** The publish analysis: overlap and shadow findings about a rule, messages already in the reader's language. */
export function FindingsList({ findings, testId = 'rule-findings' }: { findings: readonly RuleFindingView[]; testId?: string }) {
  const { t } = useTranslation('cpq-catalog');
  if (findings.length === 0) return <Alert type="success" showIcon title={t('findings.none')} data-testid={`${testId}-none`} />;
  return (
    <List
      size="small"
      bordered
      dataSource={[...findings]}
      data-testid={testId}
      renderItem={(f) => (
        <List.Item data-testid="rule-finding" data-code={f.code} data-severity={f.severity}>
          <span>
            <Tag color={f.severity === 'warning' ? 'orange' : 'blue'}>{t(`findings.severity.${f.severity}`)}</Tag>
            <Tag>{t(`findings.codes.${f.code}` as 'findings.codes.overlap', { defaultValue: f.code })}</Tag>
            {f.message}
          </span>
        </List.Item>
      )}
    />
  );
}
