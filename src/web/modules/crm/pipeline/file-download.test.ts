import { describe, expect, it } from 'vitest';
import { fileNameFromDisposition } from './file-download.ts';

describe('fileNameFromDisposition', () => {
  it('prefers the UTF-8 name, then the plain one, then the fallback', () => {
    expect(fileNameFromDisposition(`attachment; filename="opportunities.csv"; filename*=UTF-8''${encodeURIComponent('商机.csv')}`, 'x')).toBe('商机.csv');
    expect(fileNameFromDisposition('attachment; filename="errors.xlsx"', 'x')).toBe('errors.xlsx');
    expect(fileNameFromDisposition('attachment', 'fallback.csv')).toBe('fallback.csv');
    expect(fileNameFromDisposition(null, 'fallback.csv')).toBe('fallback.csv');
  });
});
