import { Alert } from 'antd';
import { useTranslation } from 'react-i18next';
import type { ApiProblem, FieldError } from '../http/api-problem.ts';

/** A problem as a readable alert: title, detail, the field errors no form field showed, request id. */
export function ProblemAlert({ problem, unmatched = [] }: { problem: ApiProblem | null; unmatched?: readonly FieldError[] }) {
  const { t } = useTranslation();
  if (!problem) return null;
  const description = (
    <>
      {problem.detail && <div>{problem.detail}</div>}
      {unmatched.length > 0 && (
        <ul style={{ margin: '4px 0 0', paddingInlineStart: 20 }}>
          {unmatched.map((e) => (
            <li key={`${e.path}:${e.message}`}>{e.path ? `${e.path}: ${e.message}` : e.message}</li>
          ))}
        </ul>
      )}
      {problem.requestId && problem.status >= 500 && (
        <div style={{ opacity: 0.65, fontSize: 12 }}>{t('problems.requestId', { id: problem.requestId })}</div>
      )}
    </>
  );
  return (
    <Alert
      type="error"
      showIcon
      title={problem.title}
      description={problem.detail || unmatched.length > 0 || problem.status >= 500 ? description : undefined}
      style={{ marginBottom: 16 }}
      data-testid="problem-alert"
    />
  );
}
