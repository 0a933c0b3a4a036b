import type { FormInstance } from 'antd';
import { describe, expect, it, vi } from 'vitest';
import { ApiProblem } from './api-problem.ts';
import { applyProblemToForm } from './form-errors.ts';

describe('applyProblemToForm', () => {
  it('puts messages on their fields (nested paths on the top field) and returns the rest', () => {
    const setFields = vi.fn();
    const form = { setFields } as unknown as FormInstance;
    const problem = new ApiProblem({
      type: 't',
      title: 'Invalid',
      status: 400,
      code: 'platform.validation',
      errors: [
        { path: 'email', message: 'must be an email' },
        { path: 'roles.0', message: 'unknown role' },
        { path: 'headers.idempotency-key', message: 'bad key' },
      ],
    });
    const rest = applyProblemToForm(form, problem, ['email', 'roles', 'nameZh']);
    expect(setFields).toHaveBeenCalledWith([
      { name: 'email', errors: ['must be an email'] },
      { name: 'roles', errors: ['unknown role'] },
      { name: 'nameZh', errors: [] },
    ]);
    expect(rest).toEqual([{ path: 'headers.idempotency-key', message: 'bad key' }]);
  });
});
