import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CustomFieldDefinition,
  MAX_ACTIVE_FIELDS_PER_ENTITY,
  buildCustomValuesSchema,
  listFilterOperators,
  toFilterValue,
  validateDefinition,
  validateDefinitionChange,
  validateDefinitionSet,
  type CustomValues,
} from './custom-fields.ts';

const label = (zh: string, en = zh) => ({ zh, en });
const def = (input: Record<string, unknown>): CustomFieldDefinition =>
  CustomFieldDefinition.parse({ entity: 'account', label: label(String(input.key)), ...input });

const DEFS: CustomFieldDefinition[] = [
  def({
    key: 'tier',
    type: 'single_select',
    options: [
      { key: 'gold', label: label('金牌', 'Gold') },
      { key: 'silver', label: label('银牌', 'Silver') },
      { key: 'bronze', label: label('铜牌', 'Bronze'), archived: true },
    ],
  }),
  def({
    key: 'tags',
    type: 'multi_select',
    options: [
      { key: 'a', label: label('A') },
      { key: 'b', label: label('B') },
      { key: 'c', label: label('C'), archived: true },
    ],
  }),
  def({ key: 'employees', type: 'number' }),
  def({ key: 'budget', type: 'decimal_money', currency: 'CNY' }),
  def({ key: 'renewal', type: 'date' }),
  def({ key: 'note', type: 'text', maxLength: 10 }),
  def({ key: 'am', type: 'user_ref' }),
  def({ key: 'legacy', type: 'text', archived: true }),
  def({ key: 'region', type: 'text', required: true }),
];

const UUID = '0b9c6f4e-8a8f-4c4e-9a53-2f1d6e7c8b90';

/** Issues as the API reports them: dotted path under `custom`, message key. */
function issuesOf(input: unknown, previous?: CustomValues | null): [string, string][] | 'ok' {
  const res = buildCustomValuesSchema(DEFS, { previous }).safeParse(input);
  if (res.success) return 'ok';
  return res.error.issues.flatMap((i): [string, string][] =>
    i.code === 'unrecognized_keys' ? i.keys.map((k): [string, string] => [k, 'v:unknown_field']) : [[i.path.join('.'), i.message]],
  );
}

function parse(input: unknown, previous?: CustomValues | null): CustomValues {
  return buildCustomValuesSchema(DEFS, { previous }).parse(input);
}

describe('custom field definitions', () => {
  it('fills defaults on a valid definition', () => {
    expect(validateDefinition({ entity: 'opportunity', key: 'po_number', type: 'text', label: label('采购单号', 'PO number') })).toEqual({
      ok: true,
      definition: { entity: 'opportunity', key: 'po_number', type: 'text', label: { zh: '采购单号', en: 'PO number' }, required: false, archived: false },
    });
  });

  it('lists every problem with its path and a message key', () => {
    const res = validateDefinition({
      entity: 'lead',
      key: 'Tier',
      type: 'single_select',
      label: { zh: ' ' },
      options: [
        { key: 'gold', label: label('金') },
        { key: 'gold', label: label('金2') },
        { key: '-x', label: label('x') },
      ],
      maxLength: 20,
      colour: 'red',
    });
    expect(res.ok).toBe(false);
    if (res.ok) return;
    expect(res.issues).toEqual(
      expect.arrayContaining([
        { path: 'entity', message: 'v:unknown_option' },
        { path: 'key', message: 'v:field_key' },
        { path: 'label.zh', message: 'v:required' },
        { path: 'label.en', message: 'v:required' },
        { path: 'options.2.key', message: 'v:option_key' },
        { path: 'colour', message: 'v:unknown_field' },
      ]),
    );
  });

  it('cross-field rules: selects need options, options/maxLength/currency only where they apply, option keys unique', () => {
    const issues = (input: Record<string, unknown>) => {
      const res = validateDefinition({ entity: 'account', key: 'f', label: label('f'), ...input });
      return res.ok ? [] : res.issues;
    };
    expect(issues({ type: 'multi_select', options: [] })).toEqual([{ path: 'options', message: 'v:required' }]);
    expect(issues({ type: 'single_select' })).toEqual([{ path: 'options', message: 'v:required' }]);
    expect(issues({ type: 'text', options: [{ key: 'a', label: label('a') }] })).toEqual([{ path: 'options', message: 'v:not_applicable' }]);
    expect(issues({ type: 'number', maxLength: 5 })).toEqual([{ path: 'maxLength', message: 'v:not_applicable' }]);
    expect(issues({ type: 'text', currency: 'CNY' })).toEqual([{ path: 'currency', message: 'v:not_applicable' }]);
    expect(issues({ type: 'decimal_money', currency: 'XXX' })).toEqual([{ path: 'currency', message: 'v:unknown_currency' }]);
    expect(
      issues({
        type: 'single_select',
        options: [
          { key: '500_plus', label: label('500+') },
          { key: '500_plus', label: label('500+ again') },
        ],
      }),
    ).toEqual([{ path: 'options.1.key', message: 'v:duplicate_key' }]);
  });

  it('keys: a lower-case letter first, then up to 39 of a–z, 0–9, _', () => {
    const ok = (key: string) => validateDefinition({ entity: 'account', key, type: 'text', label: label('x') }).ok;
    expect(ok('a')).toBe(true);
    expect(ok(`a${'b'.repeat(39)}`)).toBe(true);
    expect(ok(`a${'b'.repeat(40)}`)).toBe(false);
    for (const bad of ['', '1a', '_a', 'aB', 'a-b', 'a b', '客户等级']) expect(ok(bad)).toBe(false);
  });

  it('keys are unique per entity, and active fields are capped', () => {
    const t = (entity: string, key: string, archived = false) => def({ entity, key, type: 'text', archived });
    expect(validateDefinitionSet([t('account', 'x'), t('contact', 'x'), t('account', 'x', true)])).toEqual([{ path: '2.key', message: 'v:duplicate_key' }]);
    const many = Array.from({ length: MAX_ACTIVE_FIELDS_PER_ENTITY + 1 }, (_, i) => t('account', `f${i}`));
    expect(validateDefinitionSet(many)).toEqual([{ path: String(MAX_ACTIVE_FIELDS_PER_ENTITY), message: 'v:too_many_fields' }]);
    expect(validateDefinitionSet([...many.slice(0, -1), t('account', 'old', true)])).toEqual([]);
  });

  it('edits may not change what stored values mean', () => {
    const tier = DEFS[0]!;
    expect(validateDefinitionChange(tier, { ...tier, label: label('等级', 'Tier'), required: true })).toEqual([]);
    expect(validateDefinitionChange(tier, { ...tier, key: 'level', type: 'multi_select' })).toEqual([
      { path: 'key', message: 'v:immutable' },
      { path: 'type', message: 'v:immutable' },
    ]);
    expect(validateDefinitionChange(tier, { ...tier, options: tier.options!.slice(0, 2) })).toEqual([{ path: 'options', message: 'v:option_removed' }]);
    const budget = DEFS[3]!;
    expect(validateDefinitionChange(budget, { ...budget, currency: 'USD' })).toEqual([{ path: 'currency', message: 'v:immutable' }]);
  });
});

describe('custom values', () => {
  const FULL = {
    tier: 'gold',
    tags: ['b', 'a', 'b'],
    employees: 1200,
    budget: { amount: '1500000.00', currency: 'CNY' },
    renewal: '2026-12-31',
    note: '  VIP  ',
    am: UUID.toUpperCase(),
    region: '华东',
  };

  it('create: validates every field and outputs the normalized object to store', () => {
    expect(parse(FULL, null)).toEqual({
      tier: 'gold',
      tags: ['a', 'b'], // deduplicated, in option order
      employees: 1200,
      budget: { amount: '1500000.00', currency: 'CNY' },
      renewal: '2026-12-31',
      note: 'VIP', // trimmed
      am: UUID, // lower-cased
      region: '华东',
    });
  });

  it('create: required fields must be there; unknown keys are refused', () => {
    expect(issuesOf({ tier: 'gold' })).toEqual([['region', 'v:required']]);
    expect(issuesOf({ region: '  ' })).toEqual([['region', 'v:required']]); // blank text is no value
    expect(issuesOf({ region: 'x', colour: 'red' })).toEqual([['colour', 'v:unknown_field']]);
    expect(issuesOf('not an object')).toEqual([['', 'v:custom_object']]);
  });

  it('type errors carry the field path and a message key', () => {
    expect(
      issuesOf({
        region: 'x',
        employees: 'ten',
        budget: { amount: '1.234', currency: 'CNY' },
        renewal: '2026-02-30',
        am: 'someone',
        note: 'much too long',
        tier: 'platinum',
        tags: ['a', 'zzz'],
      }),
    ).toEqual([
      ['tier', 'v:unknown_option'],
      ['tags.1', 'v:unknown_option'],
      ['employees', 'v:number'],
      ['budget.amount', 'v:currency_places'],
      ['renewal', 'v:date'],
      ['note', 'v:text_too_long'],
      ['am', 'v:uuid'],
    ]);
    expect(issuesOf({ region: 'x', budget: { amount: '10.00', currency: 'USD' } })).toEqual([['budget.currency', 'v:currency_not_allowed']]);
    expect(issuesOf({ region: 'x', budget: 10 })).not.toBe('ok');
    expect(issuesOf({ region: 'x', employees: 1e16 })).toEqual([['employees', 'v:number_range']]);
    expect(issuesOf({ region: 'x', employees: Number.NaN })).toEqual([['employees', 'v:number']]);
  });

  it('update: sent keys replace, missing keys are kept, null and empty values clear', () => {
    const stored = parse(FULL, null);
    const next = parse({ tier: 'silver', note: null, tags: [], employees: null }, stored);
    expect(next).toEqual({ ...stored, tier: 'silver', note: undefined, tags: undefined, employees: undefined });
    expect(Object.keys(next).sort()).toEqual(['am', 'budget', 'region', 'renewal', 'tier']);
  });

  it('update: a required field cannot be cleared, but one added later does not block other edits', () => {
    const stored = parse(FULL, null);
    expect(issuesOf({ region: null }, stored)).toEqual([['region', 'v:required']]);
    expect(issuesOf({ region: '' }, stored)).toEqual([['region', 'v:required']]);
    expect(issuesOf({ tier: 'silver' }, { tier: 'gold' })).toBe('ok'); // this old record never had a region
  });

  it('archived fields are read-only, and their stored values survive every write', () => {
    expect(issuesOf({ region: 'x', legacy: 'new' })).toEqual([['legacy', 'v:read_only']]);
    const stored = { region: 'x', legacy: 'from 2019' };
    expect(issuesOf({ legacy: 'edited' }, stored)).toEqual([['legacy', 'v:read_only']]);
    expect(issuesOf({ legacy: null }, stored)).toEqual([['legacy', 'v:read_only']]);
    // A form that echoes the loaded value back unchanged is fine.
    expect(parse({ legacy: 'from 2019', region: 'y' }, stored)).toEqual({ region: 'y', legacy: 'from 2019' });
    expect(parse({ region: 'z' }, stored)).toEqual({ region: 'z', legacy: 'from 2019' });
  });

  it('archived options cannot be newly chosen, but records keep the ones they have', () => {
    expect(issuesOf({ region: 'x', tier: 'bronze' })).toEqual([['tier', 'v:archived_option']]);
    expect(issuesOf({ tier: 'bronze' }, { region: 'x', tier: 'bronze' })).toBe('ok');
    expect(issuesOf({ tier: 'bronze' }, { region: 'x', tier: 'gold' })).toEqual([['tier', 'v:archived_option']]);
    expect(issuesOf({ tags: ['c', 'a'] }, { region: 'x', tags: ['a'] })).toEqual([['tags.0', 'v:archived_option']]);
    expect(parse({ tags: ['c', 'b'] }, { region: 'x', tags: ['a', 'c'] })).toEqual({ region: 'x', tags: ['b', 'c'] });
  });

  it('stored keys of fields no longer defined are kept, not silently dropped', () => {
    expect(parse({ tier: 'gold' }, { region: 'x', ghost_field: 42 })).toEqual({ region: 'x', ghost_field: 42, tier: 'gold' });
  });

  // Random values that a form could send for DEFS.
  const valuesArb = fc.record(
    {
      tier: fc.option(fc.constantFrom('gold', 'silver'), { nil: null }),
      tags: fc.array(fc.constantFrom('a', 'b'), { maxLength: 4 }),
      employees: fc.integer({ min: -1e6, max: 1e9 }),
      budget: fc.bigInt({ min: 0n, max: 10n ** 12n }).map((n) => ({ amount: `${n / 100n}.${String(n % 100n).padStart(2, '0')}`, currency: 'CNY' })),
      renewal: fc.date({ min: new Date('2000-01-01'), max: new Date('2099-12-31'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)),
      note: fc.string({ maxLength: 10 }),
      am: fc.uuid(),
      region: fc.string({ minLength: 1, maxLength: 20 }).filter((s) => s.trim() !== ''),
    },
    { requiredKeys: ['region'] },
  );

  it('property: valid input parses, and re-sending the stored object changes nothing', () => {
    fc.assert(
      fc.property(valuesArb, (input) => {
        const stored = parse(input, null);
        expect(Object.values(stored).includes(null)).toBe(false);
        expect(parse(stored, stored)).toEqual(stored);
        expect(parse({}, stored)).toEqual(stored);
      }),
    );
  });

  it('property: an update touches exactly the keys it sends', () => {
    fc.assert(
      fc.property(valuesArb, valuesArb, (first, patch) => {
        const stored = parse(first, null);
        const { region: _region, ...withoutRegion } = patch;
        const next = parse(withoutRegion, stored);
        for (const key of Object.keys(stored)) {
          if (!(key in withoutRegion)) expect(next[key]).toEqual(stored[key]);
        }
        expect(next.region).toBe(stored.region);
      }),
    );
  });
});

describe('filters', () => {
  const byKey = (key: string) => DEFS.find((d) => d.key === key)!;

  it('coerces query operands by field type', () => {
    expect(toFilterValue(byKey('employees'), ' 1200 ')).toEqual({ ok: true, value: 1200 });
    expect(toFilterValue(byKey('employees'), '-3.5')).toEqual({ ok: true, value: -3.5 });
    expect(toFilterValue(byKey('employees'), '1e3')).toEqual({ ok: false, message: 'v:number' });
    expect(toFilterValue(byKey('employees'), '1'.repeat(17))).toEqual({ ok: false, message: 'v:number_range' });
    expect(toFilterValue(byKey('budget'), '1000.50')).toEqual({ ok: true, value: { amount: '1000.50', currency: null } });
    expect(toFilterValue(byKey('budget'), 'CNY:1000')).toEqual({ ok: true, value: { amount: '1000', currency: 'CNY' } });
    expect(toFilterValue(byKey('budget'), 'USD:1000')).toEqual({ ok: false, message: 'v:currency_not_allowed' });
    expect(toFilterValue(byKey('budget'), 'XYZ:1000')).toEqual({ ok: false, message: 'v:unknown_currency' });
    expect(toFilterValue(byKey('budget'), '1,000')).toEqual({ ok: false, message: 'v:decimal_string' });
    expect(toFilterValue(byKey('renewal'), '2026-12-31')).toEqual({ ok: true, value: '2026-12-31' });
    expect(toFilterValue(byKey('renewal'), '2026-13-01')).toEqual({ ok: false, message: 'v:date' });
    expect(toFilterValue(byKey('am'), UUID.toUpperCase())).toEqual({ ok: true, value: UUID });
    expect(toFilterValue(byKey('am'), 'me')).toEqual({ ok: false, message: 'v:uuid' });
    expect(toFilterValue(byKey('note'), '  VIP ')).toEqual({ ok: true, value: 'VIP' });
    expect(toFilterValue(byKey('note'), '   ')).toEqual({ ok: false, message: 'v:required' });
  });

  it('select filters take one or more option keys, archived ones included', () => {
    expect(toFilterValue(byKey('tier'), 'gold,bronze')).toEqual({ ok: true, value: ['gold', 'bronze'] });
    expect(toFilterValue(byKey('tags'), 'a, c, a')).toEqual({ ok: true, value: ['a', 'c'] });
    expect(toFilterValue(byKey('tier'), 'gold,')).toEqual({ ok: false, message: 'v:unknown_option' });
    expect(toFilterValue(byKey('tier'), 'platinum')).toEqual({ ok: false, message: 'v:unknown_option' });
  });

  it('operators by type', () => {
    expect(listFilterOperators({ type: 'date' })).toEqual(['eq', 'gt', 'gte', 'lt', 'lte']);
    expect(listFilterOperators({ type: 'multi_select' })).toEqual(['has_all']);
    expect(listFilterOperators({ type: 'single_select' })).toEqual(['eq', 'in']);
    expect(listFilterOperators({ type: 'text' })).toEqual(['eq']);
  });

  it('property: a stored number filters back to itself', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e12, max: 1e12 }), (n) => {
        expect(toFilterValue(byKey('employees'), String(n))).toEqual({ ok: true, value: n });
      }),
    );
  });
});

describe('awkward keys', () => {
  it('"constructor" is reserved: Zod would read it from Object.prototype on every record', () => {
    expect(validateDefinition({ entity: 'account', key: 'constructor', type: 'text', label: label('c') })).toEqual({
      ok: false,
      issues: [{ path: 'key', message: 'v:field_key_reserved' }],
    });
    expect(validateDefinition({ entity: 'account', key: 'constructor_id', type: 'text', label: label('c') }).ok).toBe(true);
  });

  it('a stored object with inherited-looking keys is read by own properties only', () => {
    const defs = [CustomFieldDefinition.parse({ entity: 'account', key: 'tier2', type: 'single_select', label: label('t'), options: [{ key: 'a', label: label('a'), archived: true }] })];
    // previous has no own tier2: the archived option cannot be chosen, whatever the prototype says.
    const previous = Object.create({ tier2: 'a' }) as CustomValues;
    expect(buildCustomValuesSchema(defs, { previous }).safeParse({ tier2: 'a' }).success).toBe(false);
  });
});
