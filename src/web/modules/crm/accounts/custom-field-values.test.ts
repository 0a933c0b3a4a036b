import { describe, expect, it } from 'vitest';
import type { CustomFieldDefinitionDto } from '../../../../server/modules/crm/custom-field-contract.ts';
import { activeDefinitions, customBody, customValueText, toCustomFormValues } from './custom-field-values.ts';

// Only the members these helpers read; the definition DTO grows with the custom-field module.
const def = (key: string, type: CustomFieldDefinitionDto['type'], extra: Partial<CustomFieldDefinitionDto> = {}): CustomFieldDefinitionDto =>
  ({
  id: `00000000-0000-4000-8000-0000000000${key.length}`,
  entity: 'account',
  key,
  type,
  label: { zh: key, en: key },
  required: false,
  position: 0,
  archivedAt: null,
  version: 1,
  createdAt: '2026-11-01T00:00:00.000Z',
  updatedAt: '2026-11-01T00:00:00.000Z',
  ...extra,
  }) as CustomFieldDefinitionDto;

const size = def('size', 'single_select', {
  options: [
    { key: 'large', label: { zh: '大型', en: 'Large' }, archived: false },
    { key: 'small', label: { zh: '小型', en: 'Small' }, archived: false },
  ],
});
const budget = def('budget', 'decimal_money', { currency: 'CNY', position: 2 });
const note = def('note', 'text', { position: 1 });

describe('custom field values', () => {
  it('keeps active definitions in position order', () => {
    expect(activeDefinitions([budget, def('old', 'text', { archivedAt: '2026-01-01T00:00:00.000Z' }), note, size]).map((d) => d.key)).toEqual(['size', 'note', 'budget']);
  });

  it('sends only changed fields: money with the field currency, null for a cleared field', () => {
    const before = { size: 'large', note: '老客户', budget: { amount: '100.00', currency: 'CNY' } };
    const form = toCustomFormValues([size, note, budget], before);
    expect(form).toEqual({ size: 'large', note: '老客户', budget: '100.00' });
    expect(customBody([size, note, budget], form, before)).toBeUndefined();
    expect(customBody([size, note, budget], { ...form, note: '  ', budget: '250.50' }, before)).toEqual({ note: null, budget: { amount: '250.50', currency: 'CNY' } });
  });

  it('a create sends the filled fields only', () => {
    expect(customBody([size, note], { size: 'small', note: '' }, {})).toEqual({ size: 'small' });
    expect(customBody([size, note], undefined, {})).toBeUndefined();
  });

  it('shows option labels in the UI language', () => {
    expect(customValueText(size, 'large', 'en')).toBe('Large');
    expect(customValueText(size, 'large', 'zh-CN')).toBe('大型');
    expect(customValueText(budget, { amount: '9.90', currency: 'CNY' }, 'en')).toBe('9.90 CNY');
    expect(customValueText(note, null, 'en')).toBe('—');
  });
});
