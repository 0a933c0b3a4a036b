/**
 * 统一社会信用代码 (Unified Social Credit Code, GB 32100-2015): the 18-character identifier every
 * Chinese legal person and organisation is registered under. Accounts store it normalized, so the
 * same company typed with a lower-case letter or full-width digits is still one account.
 *
 *   pos 1     registration authority (登记管理部门码), e.g. 9 = market regulation (工商)
 *   pos 2     organisation category (机构类别码), e.g. 91… = enterprise
 *   pos 3–8   administrative division of the registering authority (GB/T 2260), six digits
 *   pos 9–17  organisation code (主体标识码 / 组织机构代码, GB 11714), its own check char last
 *   pos 18    check character over positions 1–17
 *
 * Why one substituted character is always caught: a code is valid iff Σ wᵢ·vᵢ + v₁₈ ≡ 0 (mod 31),
 * with wᵢ = 3^(i−1) mod 31. 31 is prime and no weight is 0 mod 31, so changing one value a → b
 * shifts the sum by wᵢ·(b − a), which is 0 mod 31 only when a = b; and the charset maps its 31
 * characters one-to-one onto 0…30, so no *other* character of the charset is an equivalent. The only
 * equivalents are spellings that normalize to the same character (lower case, full-width). Swapping
 * two adjacent different characters is caught too: wᵢ₊₁ = 3·wᵢ, so the shift is −2·wᵢ·(a − b) ≠ 0;
 * for positions 17/18 it is (28 − 1)·(a − b) ≠ 0. uscc.test.ts checks both exhaustively.
 *
 * Pure and browser-safe: the web validates as the user types with the same code.
 */

export const USCC_CHARSET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
export const USCC_WEIGHTS: readonly number[] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
export const USCC_LENGTH = 18;

const CHAR_VALUE: ReadonlyMap<string, number> = new Map([...USCC_CHARSET].map((c, i) => [c, i]));

export interface UsccParts {
  /** Position 1. */
  registrationAuthority: string;
  /** Position 2. */
  organisationCategory: string;
  /** Positions 3–8: GB/T 2260 code of the registering authority's division (see region.ts regionOfUscc). */
  divisionCode: string;
  /** Positions 9–17: the GB 11714 organisation code, its last character being that code's own check. */
  organisationCode: string;
  /** Position 18. */
  checkChar: string;
}

export type UsccInvalidReason =
  | 'empty'
  | 'length'
  | 'charset'
  | 'division_code'
  | 'check_digit'
  // only with { strict: true }
  | 'registration_authority'
  | 'organisation_category'
  | 'organisation_code_check';

export type UsccValidation =
  | { ok: true; code: string; parts: UsccParts }
  | {
      ok: false;
      reason: UsccInvalidReason;
      /** 1-based position of the offending character, when one is to blame. */
      position?: number;
      /** The character that belongs there (check characters only). */
      expected?: string;
    };

export interface UsccValidateOptions {
  /**
   * Also require a known authority/category pair and a valid GB 11714 check inside positions 9–17.
   * Off by default: the code tables have grown by amendment since 2015 and may grow again, and a
   * CRM refusing a real customer's code is worse than accepting a code that only passes the checksum.
   */
  strict?: boolean;
}

export type UsccErrorCode = 'crm.invalid_uscc';

export class UsccError extends Error {
  readonly code: UsccErrorCode = 'crm.invalid_uscc';

  constructor(
    readonly reason: UsccInvalidReason,
    readonly position?: number,
    readonly expected?: string,
  ) {
    super(`invalid unified social credit code: ${reason}${position === undefined ? '' : ` at position ${position}`}`);
    this.name = 'UsccError';
  }
}

// Zero-width characters ride along when codes are copied out of web pages and Word documents.
const ZERO_WIDTH = new Set([0x200b, 0x200c, 0x200d, 0xfeff]);

/** Does the value have a code's shape: 18 characters of its alphabet, in any case (nothing else is checked)? */
export function hasUsccShape(value: string): boolean {
  if (value.length !== USCC_LENGTH) return false;
  for (const ch of value.toUpperCase()) if (!CHAR_VALUE.has(ch)) return false;
  return true;
}

/**
 * Canonical spelling: full-width ASCII (as typed with a Chinese IME) to half-width, upper case, and
 * every whitespace removed — codes are pasted from PDFs and licences with spaces inside.
 * Idempotent. Deliberately no O→0 / I→1 guessing: those letters are outside the charset and are
 * reported as a charset error the user can see and fix.
 */
export function normalizeUscc(input: string): string {
  let out = '';
  for (const ch of input) {
    const cp = ch.codePointAt(0)!;
    const half = cp >= 0xff01 && cp <= 0xff5e ? String.fromCodePoint(cp - 0xfee0) : ch;
    if (/\s/u.test(half) || ZERO_WIDTH.has(cp)) continue;
    out += half;
  }
  return out.toUpperCase();
}

/** The check character (position 18) of a 17-character body. Throws UsccError on a bad body. */
export function computeUsccCheckChar(first17: string): string {
  if (first17.length !== USCC_LENGTH - 1) throw new UsccError('length');
  let sum = 0;
  for (let i = 0; i < USCC_LENGTH - 1; i++) {
    const v = CHAR_VALUE.get(first17[i]!);
    if (v === undefined) throw new UsccError('charset', i + 1);
    sum += v * USCC_WEIGHTS[i]!;
  }
  const c = 31 - (sum % 31);
  return USCC_CHARSET[c === 31 ? 0 : c]!;
}

const ORG_CODE_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2];

/**
 * GB 11714 check character of an 8-character organisation-code body (digits and A–Z, A = 10 … Z = 35):
 * 11 − (Σ wᵢ·vᵢ mod 11), where 10 → 'X' and 11 → '0'. Returns null for a body outside that charset.
 */
export function computeOrganisationCodeCheckChar(body8: string): string | null {
  if (!/^[0-9A-Z]{8}$/.test(body8)) return null;
  let sum = 0;
  for (let i = 0; i < 8; i++) {
    const ch = body8[i]!;
    const v = ch >= '0' && ch <= '9' ? ch.charCodeAt(0) - 48 : ch.charCodeAt(0) - 55;
    sum += v * ORG_CODE_WEIGHTS[i]!;
  }
  const c = 11 - (sum % 11);
  return c === 10 ? 'X' : c === 11 ? '0' : String(c);
}

/**
 * Registration authorities and the organisation categories each may issue, per GB 32100-2015 and its
 * later amendment (1 机构编制, 5 民政, 9 工商, Y 其他 in the original; 2–4, 6–8, A, N added later).
 * Used only by strict validation and describeUsccCategory.
 */
export const USCC_AUTHORITIES: Readonly<Record<string, { zh: string; categories: Readonly<Record<string, string>> }>> = {
  '1': { zh: '机构编制', categories: { '1': '机关', '2': '事业单位', '3': '中央编办直接管理机构编制的群众团体', '9': '其他' } },
  '2': { zh: '外交', categories: { '1': '外国常驻新闻机构', '9': '其他' } },
  '3': {
    zh: '司法行政',
    categories: { '1': '律师执业机构', '2': '公证处', '3': '基层法律服务所', '4': '司法鉴定机构', '5': '仲裁委员会', '9': '其他' },
  },
  '4': { zh: '文化', categories: { '1': '外国在华文化中心', '9': '其他' } },
  '5': { zh: '民政', categories: { '1': '社会团体', '2': '民办非企业单位', '3': '基金会', '9': '其他' } },
  '6': {
    zh: '旅游',
    categories: { '1': '外国旅游部门常驻代表机构', '2': '港澳台地区旅游部门常驻内地（大陆）代表机构', '9': '其他' },
  },
  '7': { zh: '宗教', categories: { '1': '宗教活动场所', '2': '宗教院校', '9': '其他' } },
  '8': { zh: '工会', categories: { '1': '基层工会', '9': '其他' } },
  '9': { zh: '工商', categories: { '1': '企业', '2': '个体工商户', '3': '农民专业合作社' } },
  A: { zh: '中央军委改革和编制办公室', categories: { '1': '军队事业单位', '9': '其他' } },
  N: { zh: '农业', categories: { '1': '组级集体经济组织', '2': '村级集体经济组织', '3': '乡镇级集体经济组织', '9': '其他' } },
  Y: { zh: '其他', categories: { '1': '其他' } },
};

/** Chinese names of the authority and category, or null when the pair is not in the table. */
export function describeUsccCategory(parts: Pick<UsccParts, 'registrationAuthority' | 'organisationCategory'>): {
  authority: string;
  category: string;
} | null {
  const authority = USCC_AUTHORITIES[parts.registrationAuthority];
  const category = authority?.categories[parts.organisationCategory];
  return authority && category ? { authority: authority.zh, category } : null;
}

export function splitUscc(code: string): UsccParts {
  return {
    registrationAuthority: code.slice(0, 1),
    organisationCategory: code.slice(1, 2),
    divisionCode: code.slice(2, 8),
    organisationCode: code.slice(8, 17),
    checkChar: code.slice(17, 18),
  };
}

/**
 * Normalizes, then checks in this order: empty, length, charset, division code (six digits),
 * check character; with `strict`, also the authority/category table and the GB 11714 check.
 * The first failure is reported; `code` on success is the normalized form to store.
 */
export function validateUscc(input: string, options: UsccValidateOptions = {}): UsccValidation {
  const code = normalizeUscc(input);
  if (code.length === 0) return { ok: false, reason: 'empty' };
  // Count code points, not UTF-16 units: an emoji must not pass as two characters.
  const chars = [...code];
  if (chars.length !== USCC_LENGTH) return { ok: false, reason: 'length' };
  const bad = chars.findIndex((c) => !CHAR_VALUE.has(c));
  if (bad >= 0) return { ok: false, reason: 'charset', position: bad + 1 };
  const parts = splitUscc(code);
  const nonDigit = [...parts.divisionCode].findIndex((c) => c < '0' || c > '9');
  if (nonDigit >= 0) return { ok: false, reason: 'division_code', position: 3 + nonDigit };
  const expected = computeUsccCheckChar(code.slice(0, 17));
  if (expected !== parts.checkChar) return { ok: false, reason: 'check_digit', position: 18, expected };
  if (options.strict) {
    const authority = USCC_AUTHORITIES[parts.registrationAuthority];
    if (!authority) return { ok: false, reason: 'registration_authority', position: 1 };
    if (authority.categories[parts.organisationCategory] === undefined) {
      return { ok: false, reason: 'organisation_category', position: 2 };
    }
    const orgCheck = computeOrganisationCodeCheckChar(parts.organisationCode.slice(0, 8));
    if (orgCheck !== parts.organisationCode[8]) {
      return {
        ok: false,
        reason: 'organisation_code_check',
        position: 17,
        ...(orgCheck === null ? {} : { expected: orgCheck }),
      };
    }
  }
  return { ok: true, code, parts };
}

export function isValidUscc(input: string, options: UsccValidateOptions = {}): boolean {
  return validateUscc(input, options).ok;
}

/** The normalized code, or a UsccError naming the reason (for services; forms use validateUscc). */
export function assertValidUscc(input: string, options: UsccValidateOptions = {}): string {
  const res = validateUscc(input, options);
  if (!res.ok) throw new UsccError(res.reason, res.position, res.expected);
  return res.code;
}
