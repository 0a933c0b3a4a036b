import { App } from 'antd';
import { useCallback } from 'react';
import { ApiProblem } from '../http/api-problem.ts';

/** Show any failure as a notification: the problem's title and detail, in the user's language. */
export function useShowProblem(): (err: unknown) => void {
  const { notification } = App.useApp();
  return useCallback(
    (err: unknown) => {
      if (err instanceof ApiProblem) {
        notification.error({ title: err.title, description: err.detail, placement: 'topRight' });
      } else {
        notification.error({ title: err instanceof Error ? err.message : String(err), placement: 'topRight' });
      }
    },
    [notification],
  );
}
