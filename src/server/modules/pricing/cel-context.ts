import { Environment, serialize, type ASTNode, type ParseResult } from '@marcbachmann/cel-js';

/**
 * The CEL context rule conditions are written against, and the compile/evaluate wrappers around
 * @marcbachmann/cel-js. Conditions are type-checked against typed objects, so a misspelt field
 * (`customer.regoin`) fails at compile time with its position instead of silently never matching.
 *
 * Integers are CEL ints (BigInt); dates are local `YYYY-MM-DD` strings, so `quote.date >= "2025-01-01"`
 * compares correctly as text. Custom fields are free-form maps: reading a missing custom key is a
 * runtime error (surfaced in the explanation), so guard with `has(customer.custom.tier)`.
 */

export class CelProduct {
  constructor(
    readonly id: string,
    readonly sku: string,
    /** The product's own group id, '' when ungrouped. */
    readonly group: string,
    /** The product's group and all its ancestors, nearest first. */
    readonly groupAncestors: string[],
    readonly kind: string,
  ) {}
}

export class CelLine {
  constructor(
    readonly quantity: bigint,
    /** The line's term, else the quote's, else 0. */
    readonly termMonths: bigint,
    readonly product: CelProduct,
  ) {}
}

export class CelCustomer {
  constructor(
    /** The account id. */
    readonly id: string,
    readonly group: string,
    /** The customer's group and all its ancestors, nearest first. */
    readonly groupAncestors: string[],
    readonly kind: string,
    readonly region: string,
    readonly custom: Record<string, unknown>,
  ) {}
}

export class CelOpportunity {
  constructor(
    readonly id: string,
    readonly stage: string,
    readonly kind: string,
    readonly source: string,
    readonly custom: Record<string, unknown>,
  ) {}
}

/** A quote summary map, or the function that works it out when a condition first reads it. */
export type QuantityMap = Map<string, bigint> | (() => Map<string, bigint>);

export class CelQuote {
  #qtyByGroup: QuantityMap;
  #qtyByProduct: QuantityMap;

  constructor(
    readonly id: string,
    /** The pricing date as a local date in the company time zone. */
    readonly date: string,
    readonly termMonths: bigint,
    readonly currency: string,
    qtyByGroup: QuantityMap,
    qtyByProduct: QuantityMap,
    readonly lineCount: bigint,
  ) {
    this.#qtyByGroup = qtyByGroup;
    this.#qtyByProduct = qtyByProduct;
  }

  /** Total quantity per product group, counting each line in its group and every ancestor group. */
  get qtyByGroup(): Map<string, bigint> {
    const value = this.#qtyByGroup;
    return typeof value === 'function' ? (this.#qtyByGroup = value()) : value;
  }

  /** Total quantity per product. */
  get qtyByProduct(): Map<string, bigint> {
    const value = this.#qtyByProduct;
    return typeof value === 'function' ? (this.#qtyByProduct = value()) : value;
  }
}

/** The CEL activation: one object per quote, `line` swapped per line. */
export interface PricingActivation {
  customer: CelCustomer;
  opportunity: CelOpportunity;
  quote: CelQuote;
  line: CelLine | undefined;
}

export interface CelContextField {
  path: string;
  type: string;
  description: string;
}

/** The documented context, for the rule editor's autocompletion and help. */
export const CEL_CONTEXT_FIELDS: readonly CelContextField[] = [
  { path: 'customer.id', type: 'string', description: 'account id' },
  { path: 'customer.group', type: 'string', description: "the customer's group id ('' if none)" },
  { path: 'customer.groupAncestors', type: 'list<string>', description: "the customer's group and its ancestors, nearest first" },
  { path: 'customer.kind', type: 'string', description: 'customer kind, e.g. enterprise, smb, government' },
  { path: 'customer.region', type: 'string', description: 'sales region code' },
  {
    path: 'customer.custom.*',
    type: 'dyn',
    description:
      'custom fields of the account by key (guard with has()): text, date (YYYY-MM-DD), select and user as string; number as int or double; multi-select as list<string>; money as {amount: string, currency: string}',
  },
  { path: 'opportunity.id', type: 'string', description: "the opportunity id ('' if none)" },
  { path: 'opportunity.stage', type: 'string', description: 'opportunity stage' },
  { path: 'opportunity.kind', type: 'string', description: 'new, renewal, upsell…' },
  { path: 'opportunity.source', type: 'string', description: 'lead source' },
  {
    path: 'opportunity.custom.*',
    type: 'dyn',
    description: 'custom fields of the opportunity by key (guard with has()), typed as customer.custom.*',
  },
  { path: 'quote.id', type: 'string', description: 'quote id' },
  { path: 'quote.date', type: 'string', description: 'pricing date YYYY-MM-DD in the company time zone' },
  { path: 'quote.termMonths', type: 'int', description: 'subscription term of the quote in months (0 if none)' },
  { path: 'quote.currency', type: 'string', description: 'quote currency code' },
  { path: 'quote.qtyByGroup["<groupId>"]', type: 'int', description: 'total quantity on the quote in a product group incl. descendants' },
  { path: 'quote.qtyByProduct["<productId>"]', type: 'int', description: 'total quantity of a product on the quote' },
  { path: 'quote.lineCount', type: 'int', description: 'number of lines on the quote' },
  { path: 'line.quantity', type: 'int', description: 'line quantity' },
  { path: 'line.termMonths', type: 'int', description: "line term in months (the quote's if not set)" },
  { path: 'line.product.id', type: 'string', description: 'product id' },
  { path: 'line.product.sku', type: 'string', description: 'product SKU' },
  { path: 'line.product.group', type: 'string', description: "the product's group id" },
  { path: 'line.product.groupAncestors', type: 'list<string>', description: "the product's group and its ancestors, nearest first" },
  { path: 'line.product.kind', type: 'string', description: 'goods, service, subscription…' },
];

let environment: Environment | undefined;

/** Building an Environment is the expensive part of cel-js: one per process (or browser tab). */
export function getPricingCelEnvironment(): Environment {
  environment ??= new Environment({ limits: { maxAstNodes: 2000, maxDepth: 64 } })
    .registerType('Product', {
      ctor: CelProduct,
      fields: { id: 'string', sku: 'string', group: 'string', groupAncestors: 'list<string>', kind: 'string' },
    })
    .registerType('QuoteLine', { ctor: CelLine, fields: { quantity: 'int', termMonths: 'int', product: 'Product' } })
    .registerType('Customer', {
      ctor: CelCustomer,
      fields: {
        id: 'string',
        group: 'string',
        groupAncestors: 'list<string>',
        kind: 'string',
        region: 'string',
        custom: 'map<string, dyn>',
      },
    })
    .registerType('Opportunity', {
      ctor: CelOpportunity,
      fields: { id: 'string', stage: 'string', kind: 'string', source: 'string', custom: 'map<string, dyn>' },
    })
    .registerType('Quote', {
      ctor: CelQuote,
      fields: {
        id: 'string',
        date: 'string',
        termMonths: 'int',
        currency: 'string',
        qtyByGroup: 'map<string, int>',
        qtyByProduct: 'map<string, int>',
        lineCount: 'int',
      },
    })
    .registerVariable('customer', 'Customer')
    .registerVariable('opportunity', 'Opportunity')
    .registerVariable('quote', 'Quote')
    .registerVariable('line', 'QuoteLine');
  return environment;
}

/**
 * How much of the context a piece of condition reads, which decides how often it must run:
 * once per quote, once per product per quote, or for every line.
 */
export const CONDITION_LEVEL = { quote: 0, product: 1, line: 2 } as const;
export type ConditionLevel = (typeof CONDITION_LEVEL)[keyof typeof CONDITION_LEVEL];

export interface QuantityInterval {
  min: number;
  max: number;
}

/** One compiled conjunct, shared by every rule whose condition contains the same text. */
export interface ConditionProgram {
  /** Dense id within its table, for per-quote memo arrays. */
  id: number;
  source: string;
  program: ParseResult;
}

/**
 * Interns conjunct programs by their canonical text. Rules often repeat conditions
 * (`customer.region == "east"`), so a quote evaluates each distinct quote-level conjunct once,
 * however many rules use it. Ids are never reused, so a memo indexed by id stays valid.
 */
export class ConditionProgramTable {
  readonly #bySource = new Map<string, ConditionProgram>();
  readonly #conditions = new Map<string, ConditionCompileResult>();

  get size(): number {
    return this.#bySource.size;
  }

  /** A compiled condition for this source text, compiled once per table. */
  getCondition(source: string): ConditionCompileResult {
    let hit = this.#conditions.get(source);
    if (!hit) this.#conditions.set(source, (hit = compileConditionText(source, this)));
    return hit;
  }

  /** @internal */
  intern(source: string): ConditionProgram {
    let hit = this.#bySource.get(source);
    if (!hit) {
      const program = getPricingCelEnvironment().parse(source);
      if (!program.check().valid) throw new Error(`conjunct does not check: ${source}`);
      hit = { id: this.#bySource.size, source, program };
      this.#bySource.set(source, hit);
    }
    return hit;
  }
}

export interface CompiledCondition {
  source: string;
  /** Canonical text (whitespace and parentheses normalised), to spot identical conditions. */
  normalized: string;
  /**
   * The top-level `&&` conjuncts, by the level of context they read. Quote- and product-level
   * conjuncts are kept one by one (memoised per quote / per product); the line-level ones are
   * joined into one program. The condition is their conjunction, with CEL's error-absorbing `&&`.
   */
  quoteParts: ConditionProgram[];
  productParts: ConditionProgram[];
  linePart: ParseResult | null;
  /** Literal group ids read through quote.qtyByGroup["…"], so the quote can report 0 for them. */
  qtyGroupKeys: string[];
  /** Literal product ids read through quote.qtyByProduct["…"]. */
  qtyProductKeys: string[];
  /** Bounds implied by top-level conjuncts such as `line.quantity >= 10`, for publish-time analysis. */
  quantityBounds: QuantityInterval;
  termBounds: QuantityInterval;
}

export interface ConditionCompileError {
  code: string;
  message: string;
  /** 1-based, in the condition text. */
  line: number;
  column: number;
}

export type ConditionCompileResult = { ok: true; condition: CompiledCondition } | { ok: false; error: ConditionCompileError };

interface CelErrorLike {
  code?: unknown;
  summary?: unknown;
  message?: unknown;
  range?: { start: number } | undefined;
}

function getErrorPosition(source: string, offset: number): { line: number; column: number } {
  let line = 1;
  let column = 1;
  const end = Math.max(0, Math.min(offset, source.length));
  for (let i = 0; i < end; i++) {
    if (source.charCodeAt(i) === 10) {
      line++;
      column = 1;
    } else column++;
  }
  return { line, column };
}

function toCompileError(source: string, error: unknown): ConditionCompileError {
  const e = (typeof error === 'object' && error !== null ? error : {}) as CelErrorLike;
  const code = typeof e.code === 'string' ? e.code : 'invalid_condition';
  const message = typeof e.summary === 'string' ? e.summary : typeof e.message === 'string' ? e.message : String(error);
  const offset = typeof e.range?.start === 'number' ? e.range.start : 0;
  return { code, message, ...getErrorPosition(source, offset) };
}

function isNode(value: unknown): value is ASTNode {
  return typeof value === 'object' && value !== null && 'op' in value && 'args' in value;
}

function isIdentifier(node: unknown, name: string): boolean {
  return isNode(node) && node.op === 'id' && node.args === name;
}

/** `line.product` (or a field of it) reads only the product; any other use of `line` reads the line. */
function getNodeLevel(node: ASTNode): ConditionLevel {
  if (node.op === '.' && isIdentifier(node.args[0], 'line') && node.args[1] === 'product') return CONDITION_LEVEL.product;
  if (node.op === 'id') return node.args === 'line' ? CONDITION_LEVEL.line : CONDITION_LEVEL.quote;
  let level: ConditionLevel = CONDITION_LEVEL.quote;
  const visit = (value: unknown): void => {
    if (level === CONDITION_LEVEL.line) return;
    if (isNode(value)) {
      const l = getNodeLevel(value);
      if (l > level) level = l;
    } else if (Array.isArray(value)) for (const v of value) visit(v);
  };
  visit(node.args);
  return level;
}

function collectConjuncts(node: ASTNode, out: ASTNode[]): void {
  if (node.op === '&&') {
    collectConjuncts(node.args[0], out);
    collectConjuncts(node.args[1], out);
  } else out.push(node);
}

function collectMapKeys(node: ASTNode, field: 'qtyByGroup' | 'qtyByProduct', out: Set<string>): void {
  if (node.op === '[]') {
    const [target, index] = node.args;
    if (target.op === '.' && isIdentifier(target.args[0], 'quote') && target.args[1] === field && index.op === 'value' && typeof index.args === 'string') {
      out.add(index.args);
    }
  }
  const visit = (value: unknown): void => {
    if (isNode(value)) collectMapKeys(value, field, out);
    else if (Array.isArray(value)) for (const v of value) visit(v);
  };
  visit(node.args);
}

const UNBOUNDED: QuantityInterval = { min: 0, max: Number.POSITIVE_INFINITY };

function narrowBounds(conjunct: ASTNode, field: 'quantity' | 'termMonths', bounds: QuantityInterval): QuantityInterval {
  const op = conjunct.op;
  if (op !== '<' && op !== '<=' && op !== '>' && op !== '>=' && op !== '==') return bounds;
  const [left, right] = conjunct.args as [ASTNode, ASTNode];
  const isField = (n: ASTNode) => n.op === '.' && isIdentifier(n.args[0], 'line') && n.args[1] === field;
  const literal = (n: ASTNode) => (n.op === 'value' && typeof n.args === 'bigint' ? Number(n.args) : undefined);
  let value: number | undefined;
  let relation: string = op;
  if (isField(left)) value = literal(right);
  else if (isField(right)) {
    value = literal(left);
    relation = op === '<' ? '>' : op === '<=' ? '>=' : op === '>' ? '<' : op === '>=' ? '<=' : op;
  }
  if (value === undefined) return bounds;
  switch (relation) {
    case '<':
      return { min: bounds.min, max: Math.min(bounds.max, value - 1) };
    case '<=':
      return { min: bounds.min, max: Math.min(bounds.max, value) };
    case '>':
      return { min: Math.max(bounds.min, value + 1), max: bounds.max };
    case '>=':
      return { min: Math.max(bounds.min, value), max: bounds.max };
    default:
      return { min: Math.max(bounds.min, value), max: Math.min(bounds.max, value) };
  }
}

/**
 * Parse and type-check a condition once. Errors come back with a 1-based line and column; nothing
 * is thrown. Conjunct programs are interned in `table` (a fresh table if none is given).
 */
export function compileCondition(source: string, table: ConditionProgramTable = new ConditionProgramTable()): ConditionCompileResult {
  return table.getCondition(source);
}

function compileConditionText(source: string, table: ConditionProgramTable): ConditionCompileResult {
  const env = getPricingCelEnvironment();
  let program: ParseResult;
  try {
    program = env.parse(source);
  } catch (error) {
    return { ok: false, error: toCompileError(source, error) };
  }
  const checked = program.check();
  if (!checked.valid) return { ok: false, error: toCompileError(source, checked.error) };
  if (checked.type !== 'bool' && checked.type !== 'dyn') {
    return {
      ok: false,
      error: { code: 'condition_not_bool', message: `a condition must be a bool expression, this one is ${checked.type}`, line: 1, column: 1 },
    };
  }
  const conjuncts: ASTNode[] = [];
  collectConjuncts(program.ast, conjuncts);
  const texts: [string[], string[], string[]] = [[], [], []];
  let quantityBounds = UNBOUNDED;
  let termBounds = UNBOUNDED;
  for (const conjunct of conjuncts) {
    texts[getNodeLevel(conjunct)].push(serialize(conjunct));
    quantityBounds = narrowBounds(conjunct, 'quantity', quantityBounds);
    termBounds = narrowBounds(conjunct, 'termMonths', termBounds);
  }
  let quoteParts: ConditionProgram[];
  let productParts: ConditionProgram[];
  let linePart: ParseResult | null = null;
  try {
    quoteParts = texts[0].map((t) => table.intern(t));
    productParts = texts[1].map((t) => table.intern(t));
    if (texts[2].length === 1 && conjuncts.length === 1) linePart = program;
    else if (texts[2].length > 0) {
      linePart = env.parse(texts[2].map((p) => `(${p})`).join(' && '));
      if (!linePart.check().valid) throw new Error('line part does not check');
    }
  } catch {
    // Serialisation should round-trip; if it ever does not, evaluate the whole condition per line.
    quoteParts = [];
    productParts = [];
    linePart = program;
  }
  const qtyGroupKeys = new Set<string>();
  const qtyProductKeys = new Set<string>();
  collectMapKeys(program.ast, 'qtyByGroup', qtyGroupKeys);
  collectMapKeys(program.ast, 'qtyByProduct', qtyProductKeys);
  return {
    ok: true,
    condition: {
      source,
      normalized: serialize(program.ast),
      quoteParts,
      productParts,
      linePart,
      qtyGroupKeys: [...qtyGroupKeys],
      qtyProductKeys: [...qtyProductKeys],
      quantityBounds,
      termBounds,
    },
  };
}

/** A condition that failed at run time: never dropped silently, reported in the explanation. */
export interface ConditionFailure {
  code: string;
  message: string;
}

/** true, false, or the failure; never throws. */
export function evaluateConditionPart(program: ParseResult, activation: PricingActivation): boolean | ConditionFailure {
  try {
    const value: unknown = program(activation);
    if (value === true || value === false) return value;
    return { code: 'not_bool', message: `the condition produced ${typeof value === 'bigint' ? 'an int' : typeof value}, not a bool` };
  } catch (error) {
    const e = (typeof error === 'object' && error !== null ? error : {}) as CelErrorLike;
    return {
      code: typeof e.code === 'string' ? e.code : 'evaluation_error',
      message: typeof e.summary === 'string' ? e.summary : typeof e.message === 'string' ? e.message : String(error),
    };
  }
}

/**
 * Custom field values from JSON into CEL values: integral numbers become ints (so `== 3` works),
 * other numbers doubles; nested arrays and objects are converted recursively.
 */
export function toCelValue(value: unknown): unknown {
  if (typeof value === 'number') return Number.isSafeInteger(value) ? BigInt(value) : value;
  if (Array.isArray(value)) return value.map(toCelValue);
  if (typeof value === 'object' && value !== null && !(value instanceof Map)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = toCelValue(v);
    return out;
  }
  return value;
}

/** A custom field a condition reads: `customer.custom.<key>` or `opportunity.custom.<key>` (or `["<key>"]`). */
export interface CustomFieldReference {
  target: 'customer' | 'opportunity';
  key: string;
}

/** Every literal custom-field key a condition reads, in order of appearance, without repeats. */
export function findCustomFieldReferences(program: ParseResult): CustomFieldReference[] {
  const out: CustomFieldReference[] = [];
  const seen = new Set<string>();
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) {
      for (const v of value) visit(v);
      return;
    }
    if (!isNode(value)) return;
    if (value.op === '.' || value.op === '[]') {
      const [target, field] = value.args as [unknown, unknown];
      const key = value.op === '.' ? field : isNode(field) && field.op === 'value' ? field.args : undefined;
      if (isNode(target) && target.op === '.' && target.args[1] === 'custom' && typeof key === 'string') {
        const owner = target.args[0];
        const name = isIdentifier(owner, 'customer') ? 'customer' : isIdentifier(owner, 'opportunity') ? 'opportunity' : undefined;
        if (name && !seen.has(`${name}.${key}`)) {
          seen.add(`${name}.${key}`);
          out.push({ target: name, key });
        }
      }
    }
    visit(value.args);
  };
  visit(program.ast);
  return out;
}

/**
 * Custom fields a condition reads that are not defined (or archived): a rule on `customer.custom.tier`
 * must name a field the CRM has, or it would only ever fail with `no_such_key`. Checked when a rule
 * is saved; `defined` holds the active keys of accounts (`customer`) and opportunities.
 */
export function findUndefinedCustomFields(
  source: string,
  defined: { customer: ReadonlySet<string>; opportunity: ReadonlySet<string> },
): CustomFieldReference[] {
  let program: ParseResult;
  try {
    program = getPricingCelEnvironment().parse(source);
  } catch {
    return []; // a condition that does not parse is compileCondition's error to report
  }
  return findCustomFieldReferences(program).filter((r) => !defined[r.target].has(r.key));
}
