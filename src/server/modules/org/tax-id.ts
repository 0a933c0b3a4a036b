import { computeUsccCheckChar, hasUsccShape, USCC_LENGTH } from '../../../shared/uscc.ts';

/**
 * The company's tax id as printed on its documents: China's 统一社会信用代码 (unified social credit
 * code, GB 32100-2015; shared/uscc.ts) or another country's tax number. Only a value with the shape
 * of a credit code (18 characters of its alphabet) is checked, by its check character; anything else
 * up to the contract's length limit is taken as typed (a VAT number, an EIN…).
 *
 * Case: the shape is recognised whatever the case, and such a code is kept in upper case (the
 * official spelling), so `91330106…x` is one code with `91330106…X` and a lower-case typo of a
 * credit code cannot slip through as "some other country's number". Other tax numbers keep their
 * case.
 *
 * Pure and browser-safe: the web form checks with the same function.
 */

export type TaxIdCheck = { ok: true; value: string } | { ok: false; expected: string };

/**
 * Check a (trimmed) tax id. A credit-code-shaped value must carry its check character and comes
 * back in upper case; any other value comes back unchanged.
 */
export function checkTaxId(value: string): TaxIdCheck {
  if (!hasUsccShape(value)) return { ok: true, value };
  const code = value.toUpperCase();
  const expected = computeUsccCheckChar(code.slice(0, USCC_LENGTH - 1));
  return code[USCC_LENGTH - 1] === expected ? { ok: true, value: code } : { ok: false, expected };
}
