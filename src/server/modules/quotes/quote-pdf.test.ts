import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Dec, Money } from '../../../shared/money.ts';
import {
  CjkFontMissingError,
  amountInChineseCapitals,
  formatAmount,
  quotePdfFileName,
  renderQuotePdf,
  resolveCjkFont,
  type QuoteDocument,
  type QuoteDocumentLine,
  type QuotePdfLocale,
} from './quote-pdf.ts';

describe('amountInChineseCapitals', () => {
  const cny = (amount: string) => amountInChineseCapitals(Money.of(amount, 'CNY'));

  it('writes yuan, jiao and fen', () => {
    expect(cny('1234567.89')).toBe('壹佰贰拾叁万肆仟伍佰陆拾柒元捌角玖分');
    expect(cny('0.05')).toBe('伍分');
    // 10010.01: the zero runs inside the number and before fen are each written once as 零.
    expect(cny('10010.01')).toBe('壹万零壹拾元零壹分');
  });

  it('ends whole amounts with 整, including a trailing .00 and zero', () => {
    expect(cny('100')).toBe('壹佰元整');
    expect(cny('100.00')).toBe('壹佰元整');
    expect(cny('0')).toBe('零元整');
    expect(cny('0.00')).toBe('零元整');
    expect(cny('1000000000000')).toBe('壹万亿元整');
  });

  it('prefixes negative amounts with 负 and never prints a negative zero', () => {
    expect(cny('-1234.5')).toBe('负壹仟贰佰叁拾肆元伍角整');
    expect(cny('-5')).toBe('负伍元整');
    // -0.001 rounds to zero fen.
    expect(cny('-0.001')).toBe('零元整');
  });

  it('rounds half-up to fen first instead of truncating', () => {
    // 1.005 → 1.01 (the library alone would drop the third decimal and print 壹元).
    expect(cny('1.005')).toBe('壹元零壹分');
    expect(cny('0.994')).toBe('玖角玖分');
  });

  it('is exact on long decimal strings that a float could not hold', () => {
    // 9 999 999 999 999 999.99 has 18 significant digits; as a float it would become 10^16.
    expect(cny('9999999999999999.99')).toBe('玖仟玖佰玖拾玖万玖仟玖佰玖拾玖亿玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分');
    expect(cny('12345678901234.56')).toBe('壹拾贰万叁仟肆佰伍拾陆亿柒仟捌佰玖拾万壹仟贰佰叁拾肆元伍角陆分');
  });

  it('refuses amounts of 亿亿 and above, and other currencies', () => {
    expect(() => cny('10000000000000000')).toThrow(RangeError);
    expect(() => cny('-10000000000000000')).toThrow(RangeError);
    expect(() => amountInChineseCapitals(Money.of('10', 'USD'))).toThrow(/CNY/);
  });
});

describe('formatAmount', () => {
  it('groups thousands and pads to the minor unit', () => {
    expect(formatAmount('1234567.8', 'CNY')).toBe('1,234,567.80');
    expect(formatAmount('999', 'CNY')).toBe('999.00');
    expect(formatAmount('1234567', 'JPY')).toBe('1,234,567');
  });

  it('rounds half-up at the minor unit', () => {
    expect(formatAmount('999.995', 'CNY')).toBe('1,000.00');
    expect(formatAmount('-1234.565', 'CNY')).toBe('-1,234.57');
    expect(formatAmount('1234.5', 'JPY')).toBe('1,235');
    expect(formatAmount('-0.001', 'CNY')).toBe('0.00');
  });
});

describe('quotePdfFileName', () => {
  it('names the file by quote number, version and locale, with unsafe characters replaced', () => {
    expect(quotePdfFileName({ quoteNumber: 'Q-2026-000123', versionNumber: 2 }, 'zh-CN')).toBe('Q-2026-000123-v2-zh-CN.pdf');
    expect(quotePdfFileName({ quoteNumber: 'Q/2026 7"', versionNumber: 1 }, 'en')).toBe('Q_2026_7_-v1-en.pdf');
  });
});

describe('resolveCjkFont', () => {
  it('fails with the searched path when the given font does not exist', () => {
    const missing = '/nonexistent/fonts/NotoSansCJK-Regular.ttc';
    expect(() => resolveCjkFont(missing)).toThrow(CjkFontMissingError);
    expect(() => resolveCjkFont(missing)).toThrow(missing);
  });
});

// ---------------------------------------------------------------------------------------------
// Rendering, read back with pdftotext (poppler-utils, installed by the CI script).

const hasPdftotext = spawnSync('which', ['pdftotext']).status === 0;
let fontAvailable = true;
try {
  resolveCjkFont();
} catch {
  fontAvailable = false;
}
if (!hasPdftotext) console.warn('quote-pdf: pdftotext not found (install poppler-utils); PDF text tests are skipped');
if (!fontAvailable) console.warn('quote-pdf: Noto Sans CJK not found (install fonts-noto-cjk); PDF rendering tests are skipped');

const CUSTOMER = '上海星河智能科技有限公司';

interface LineInput {
  sku: string;
  name: string;
  description?: string;
  quantity: number;
  list: string;
  net: string;
  taxPercent: string;
}

/** Builds a document whose line amounts and totals are computed from unit prices, as the service would. */
function quoteDocument(inputs: LineInput[], overrides: Partial<QuoteDocument> = {}): QuoteDocument {
  const lines: QuoteDocumentLine[] = inputs.map((l) => {
    const netAmount = Money.of(l.net).times(l.quantity).round();
    const taxAmount = netAmount.times(new Dec(l.taxPercent).dividedBy(100)).round();
    const list = new Dec(l.list);
    return {
      sku: l.sku,
      name: l.name,
      ...(l.description ? { description: l.description } : {}),
      quantity: l.quantity,
      unit: '套',
      listUnitPrice: l.list,
      netUnitPrice: l.net,
      discountPct: list.minus(l.net).dividedBy(list).times(100).toFixed(2),
      taxRate: l.taxPercent,
      netAmount: netAmount.toFixedString(),
      taxAmount: taxAmount.toFixedString(),
    };
  });
  const listTotal = Money.sum(inputs.map((l) => Money.of(l.list).times(l.quantity)), 'CNY').round();
  const net = Money.sum(lines.map((l) => Money.of(l.netAmount)), 'CNY');
  const tax = Money.sum(lines.map((l) => Money.of(l.taxAmount)), 'CNY');
  return {
    seller: { name: '杭州贯线软件有限公司', address: '杭州市西湖区文三路 100 号', phone: '0571-8888 0000', taxId: '91330106MA2KXXXX1X' },
    customer: { name: CUSTOMER, nameEn: 'Shanghai Xinghe Intelligent Technology Co., Ltd.', address: '上海市浦东新区张江路 88 号', contact: '李娜 138-0000-0000' },
    quoteNumber: 'Q-2026-000123',
    versionNumber: 2,
    issueDate: '2026-11-25',
    validUntil: '2026-12-25',
    currency: 'CNY',
    lines,
    totals: {
      list: listTotal.toFixedString(),
      net: net.toFixedString(),
      discount: listTotal.minus(net).toFixedString(),
      tax: tax.toFixedString(),
      grandTotal: net.plus(tax).toFixedString(),
    },
    terms: '1. 付款方式：合同签订后 10 个工作日内支付 50%，验收后支付 50%。\n2. 交付周期：收到预付款后 30 日内。',
    ...overrides,
  };
}

const THREE_LINES: LineInput[] = [
  { sku: 'TL-CRM-ENT', name: '企业版 CRM 订阅', description: '年度订阅，含 10 个席位', quantity: 10, list: '1200.00', net: '1080.00', taxPercent: '6' },
  { sku: 'TL-IMPL-DAY', name: '实施服务（人天）', quantity: 15, list: '2000.00', net: '1800.00', taxPercent: '6' },
  { sku: 'TL-HW-GW', name: '边缘网关设备', quantity: 2, list: '8500.00', net: '8499.50', taxPercent: '13' },
];

function manyLines(count: number): LineInput[] {
  return Array.from({ length: count }, (_, i) => ({
    sku: `TL-SKU-${String(i + 1).padStart(4, '0')}`,
    name: `配件 ${i + 1}`,
    quantity: (i % 7) + 1,
    list: `${100 + i}.00`,
    net: `${90 + i}.50`,
    taxPercent: '13',
  }));
}

const workDir = mkdtempSync(join(tmpdir(), 'quote-pdf-'));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));
let fileCount = 0;

function pdfText(pdf: Buffer): string {
  const file = join(workDir, `q${++fileCount}.pdf`);
  writeFileSync(file, pdf);
  return execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
}

/** pdftotext ends each page with a form feed. */
function pages(text: string): string[] {
  return text.split('\f').filter((p) => p.trim() !== '');
}

/** The "page n of m" footers found in the text; pdftotext may drop the spaces around CJK glyphs. */
function pageLabel(text: string, locale: QuotePdfLocale): Array<[number, number]> {
  const pattern = locale === 'zh-CN' ? /第\s*(\d+)\s*\/\s*(\d+)\s*页/g : /Page\s+(\d+)\s+of\s+(\d+)/g;
  return [...text.matchAll(pattern)].map((m) => [Number(m[1]), Number(m[2])]);
}

async function render(doc: QuoteDocument, locale: QuotePdfLocale): Promise<Buffer> {
  return renderQuotePdf(doc, { locale });
}

describe.skipIf(!fontAvailable)('renderQuotePdf', () => {
  it('renders the same bytes for the same input, with dates taken from the issue date', async () => {
    const doc = quoteDocument(THREE_LINES);
    const first = await render(doc, 'zh-CN');
    const second = await render(structuredClone(doc), 'zh-CN');
    expect(first.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(first.equals(second)).toBe(true);
    // The info dates (CreationDate, ModDate) are written as strings of their own.
    expect(first.toString('latin1')).toContain('(D:20261125000000Z)');
    expect(first.toString('latin1')).not.toContain('(D:20261126000000Z)');

    const reissued = await render({ ...doc, issueDate: '2026-11-26' }, 'zh-CN');
    expect(reissued.equals(first)).toBe(false);
    expect(reissued.toString('latin1')).toContain('(D:20261126000000Z)');
  }, 30_000);

  it('rejects a malformed issue date', async () => {
    await expect(render(quoteDocument(THREE_LINES, { issueDate: '2026-02-30' }), 'zh-CN')).rejects.toThrow(/issueDate/);
  });

  describe.skipIf(!hasPdftotext)('text read back with pdftotext', () => {
    it('zh-CN: customer, quote number, totals, capitals, validity and signature block', async () => {
      const doc = quoteDocument(THREE_LINES);
      // Net: 10 × 1 080.00 + 15 × 1 800.00 + 2 × 8 499.50 = 10 800 + 27 000 + 16 999 = 54 799.00
      // Tax: 648.00 + 1 620.00 + 2 209.87 (16 999 × 13 % = 2 209.87) = 4 477.87
      // Grand total: 54 799.00 + 4 477.87 = 59 276.87
      expect(doc.totals.grandTotal).toBe('59276.87');
      const text = pdfText(await render(doc, 'zh-CN'));

      expect(text).toContain(CUSTOMER);
      expect(text).toContain('Q-2026-000123');
      expect(text).toContain('59,276.87');
      expect(text).toContain('4,477.87');
      expect(text).toContain('人民币大写：伍万玖仟贰佰柒拾陆元捌角柒分');
      expect(text).toContain('报价单');
      expect(text).toContain('价税合计');
      expect(text).toContain('有效期至 2026年12月25日');
      expect(text).toContain('付款方式');
      expect(text).toContain('授权代表签字');
      expect(text).toContain('边缘网关设备');
      expect(pageLabel(text, 'zh-CN')).toEqual([[1, 1]]);
      expect(text).not.toContain('Grand total');
    }, 30_000);

    it('en: English labels, the Chinese legal name beside the English one, no capitals', async () => {
      const text = pdfText(await render(quoteDocument(THREE_LINES), 'en'));

      expect(text).toContain(CUSTOMER);
      expect(text).toContain('Shanghai Xinghe Intelligent Technology Co., Ltd.');
      expect(text).toContain('QUOTATION');
      expect(text).toContain('Quote No.');
      expect(text).toContain('Grand total');
      expect(text).toContain('59,276.87');
      expect(text).toContain('This quotation is valid until 2026-12-25.');
      expect(text).toContain('Authorized signature');
      expect(pageLabel(text, 'en')).toEqual([[1, 1]]);
      expect(text).not.toContain('人民币大写');
      expect(text).not.toContain('价税合计');
    }, 30_000);

    it('the seller block: each filled line with its label, no label for an empty field', async () => {
      const seller: QuoteDocument['seller'] = {
        name: '杭州贯线软件有限公司',
        address: '杭州市西湖区文三路 100 号',
        phone: '0571-8888 0000',
        email: 'sales@guanxian.example',
        taxId: '91330100799655058B',
        bankName: '招商银行杭州分行',
        bankAccount: '5719 0000 0000 0001',
      };
      const zh = pdfText(await render(quoteDocument(THREE_LINES, { seller }), 'zh-CN'));
      // pdftotext may drop the spaces around CJK glyphs.
      const squeezed = zh.replace(/\s+/g, '');
      for (const line of ['地址:杭州市西湖区文三路100号', '电话:0571-88880000', '邮箱:sales@guanxian.example', '统一社会信用代码:91330100799655058B', '开户行:招商银行杭州分行', '账号:5719000000000001']) {
        expect(squeezed).toContain(line);
      }

      const en = pdfText(await render(quoteDocument(THREE_LINES, { seller: { ...seller, name: 'Guanxian Software', address: '100 Wensan Road, Hangzhou', taxId: 'DE123456789' } }), 'en'));
      for (const line of ['Address: 100 Wensan Road, Hangzhou', 'Phone: 0571-8888 0000', 'Email: sales@guanxian.example', 'Tax ID: DE123456789', 'Bank: 招商银行杭州分行', 'Account: 5719 0000 0000 0001']) {
        expect(en).toContain(line);
      }

      // Only a name and a phone (an address of spaces counts as empty): no other seller label at all.
      const bare = pdfText(await render(quoteDocument(THREE_LINES, { seller: { name: '杭州贯线软件有限公司', address: '  ', phone: '0571-8888 0000' } }), 'zh-CN'));
      expect(bare.replace(/\s+/g, '')).toContain('电话:0571-88880000');
      // The customer block still prints its own 地址 (the fixture's customer has an address): count the labels.
      expect(bare.match(/地址/g)).toHaveLength(1);
      for (const label of ['邮箱', '税号', '统一社会信用代码', '开户行', '账号']) expect(bare).not.toContain(label);
      const bareEn = pdfText(await render(quoteDocument(THREE_LINES, { seller: { name: 'Guanxian Software' } }), 'en'));
      expect(bareEn.match(/Address:/g)).toBeNull();
      for (const label of ['Phone:', 'Email:', 'Tax ID:', 'Bank:', 'Account:']) expect(bareEn).not.toContain(label);
    }, 60_000);

    it('a 120-line quote flows over several pages with the table header repeated and numbered pages', async () => {
      const doc = quoteDocument(manyLines(120));
      for (const locale of ['zh-CN', 'en'] as const) {
        const all = pages(pdfText(await render(doc, locale)));
        const count = all.length;
        expect(count).toBeGreaterThanOrEqual(3);
        all.forEach((page, i) => {
          expect(pageLabel(page, locale)).toEqual([[i + 1, count]]);
        });
        const header = locale === 'zh-CN' ? '物料编码' : 'Item / Description';
        const withHeader = all.filter((page) => page.includes(header)).length;
        const withLines = all.filter((page) => page.includes('TL-SKU-')).length;
        expect(withLines).toBeGreaterThanOrEqual(3);
        expect(withHeader).toBe(withLines);
        // Every line is printed once, in order.
        const joined = all.join('\n');
        const skus = [...joined.matchAll(/TL-SKU-(\d{4})/g)].map((m) => Number(m[1]));
        expect(skus).toEqual(Array.from({ length: 120 }, (_, i) => i + 1));
        expect(joined).toContain(formatAmount(doc.totals.grandTotal, 'CNY'));
      }
    }, 60_000);
  });
});
