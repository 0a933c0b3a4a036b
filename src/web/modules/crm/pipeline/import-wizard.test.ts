import { describe, expect, it } from 'vitest';
import type { ImportRowError } from '../../../../server/modules/crm/import-contract.ts';
import { bytesToBase64, compactMapping, doubleMappedColumns, groupByRow, initialMapping, missingRequired, progressPercent } from './import-wizard.ts';

const field = (name: string, required = false) => ({ field: name, required, labels: { zh: name, en: name } });

describe('bytesToBase64', () => {
  it('encodes like Node does, including multi-byte text and large inputs', () => {
    const text = new TextEncoder().encode('名称,统一社会信用代码\n云澜,91350100M000100Y43\n');
    expect(bytesToBase64(text)).toBe(Buffer.from(text).toString('base64'));
    const big = new Uint8Array(100_000).map((_, i) => i % 251);
    expect(bytesToBase64(big)).toBe(Buffer.from(big).toString('base64'));
  });
});

describe('mapping', () => {
  const job = { columns: ['名称', 'USCC', '城市'], fields: [field('nameZh', true), field('uscc'), field('ownerEmail', true)], suggestedMapping: { nameZh: '名称', uscc: 'USCC', ownerEmail: 'Owner', bogus: '城市' } };

  it('starts from the suggestion, dropping columns the file lacks and fields the entity lacks', () => {
    expect(initialMapping(job)).toEqual({ nameZh: '名称', uscc: 'USCC' });
  });

  it('names the required fields still without a column', () => {
    expect(missingRequired(job.fields, initialMapping(job))).toEqual(['ownerEmail']);
    expect(missingRequired(job.fields, { nameZh: '名称', ownerEmail: '城市' })).toEqual([]);
  });

  it('finds a column used twice and drops empty choices', () => {
    expect(doubleMappedColumns({ a: 'X', b: 'Y', c: 'X' })).toEqual(['X']);
    expect(compactMapping({ a: 'X', b: undefined, c: '', d: null })).toEqual({ a: 'X' });
  });
});

describe('groupByRow', () => {
  const e = (row: number, severity: 'error' | 'warning', code: string): ImportRowError => ({ row, column: null, field: null, severity, code, message: code });
  it('collects every problem of a row, rows in file order, and tells errors from warnings', () => {
    const groups = groupByRow([e(4, 'error', 'a'), e(2, 'warning', 'b'), e(4, 'error', 'c')]);
    expect(groups.map((g) => [g.row, g.errors.map((x) => x.code), g.hasError])).toEqual([
      [2, ['b'], false],
      [4, ['a', 'c'], true],
    ]);
  });
});

describe('progressPercent', () => {
  it('is whole percent of processed rows, 100 once completed', () => {
    expect(progressPercent({ processed: 1, total: 3, status: 'running' })).toBe(33);
    expect(progressPercent({ processed: 0, total: 0, status: 'running' })).toBe(0);
    expect(progressPercent({ processed: 2, total: 3, status: 'completed' })).toBe(100);
  });
});
