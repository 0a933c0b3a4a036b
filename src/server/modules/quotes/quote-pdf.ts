import { existsSync, readFileSync } from 'node:fs';
import nzh from 'nzh/cn';
import PDFDocument from 'pdfkit';
import { CURRENCIES, DECIMAL_PATTERN, Dec, Money, type Currency } from '../../../shared/money.ts';
import { hasUsccShape } from '../../../shared/uscc.ts';

/**
 * The quote document (PDF) of one quote version, in zh-CN or en.
 *
 * A pure renderer: everything printed comes from the `QuoteDocument` passed in (the service
 * builds it from the stored version), and the bytes depend only on that input and the font file.
 * No clock, no random ids: the PDF dates come from the issue date, so rendering a version twice
 * gives the same file and a stored copy can be compared with a fresh render.
 */

export type QuotePdfLocale = 'zh-CN' | 'en';

export interface QuoteDocumentLine {
  sku: string;
  name: string;
  description?: string;
  /** Decimal string or integer. */
  quantity: string | number;
  unit: string;
  /** Decimal string; null when the product has no list price. */
  listUnitPrice: string | null;
  netUnitPrice: string;
  /** Percent as a decimal string ("12.50"), derived from list and net; display only. Null without a list price. */
  discountPct: string | null;
  /** Percent as a decimal string ("13" or "13.00"). */
  taxRate: string;
  netAmount: string;
  taxAmount: string;
}

export interface QuoteDocument {
  /** The seller block: each line is printed only when it has a value. */
  seller: { name: string; address?: string; phone?: string; email?: string; taxId?: string; bankName?: string; bankAccount?: string };
  customer: { name: string; nameEn?: string; address?: string; contact?: string };
  quoteNumber: string;
  versionNumber: number;
  /** Calendar date `YYYY-MM-DD` (company time zone). */
  issueDate: string;
  /** Calendar date `YYYY-MM-DD`. */
  validUntil: string;
  currency: Currency;
  lines: QuoteDocumentLine[];
  /** Decimal strings. `discount` is list − net, printed as given. */
  totals: { list: string; net: string; discount: string; tax: string; grandTotal: string };
  terms: string;
  /** Overrides of the signature block captions; the locale's defaults otherwise. */
  signature?: { seller?: string; customer?: string; signatory?: string; date?: string };
}

export interface RenderQuotePdfOptions {
  locale: QuotePdfLocale;
  /** A Noto Sans CJK regular font (.ttc/.otf/.ttf); the known system locations otherwise. */
  fontPath?: string;
}

// ---------------------------------------------------------------------------------------------
// Document texts (printed on the PDF; not UI strings, so they live here rather than in i18next).

interface Labels {
  title: string;
  quoteNumber: string;
  version: string;
  issueDate: string;
  validUntil: string;
  currency: string;
  customer: string;
  contact: string;
  address: string;
  phone: string;
  email: string;
  /** For a 统一社会信用代码 (told by its shape) and for any other tax number. */
  taxId: { creditCode: string; other: string };
  bankName: string;
  bankAccount: string;
  columns: [string, string, string, string, string, string, string, string, string, string, string];
  listTotal: string;
  discount: string;
  netTotal: string;
  tax: string;
  grandTotal: string;
  capitals: string;
  validity: (date: string) => string;
  terms: string;
  sellerParty: string;
  customerParty: string;
  signatory: string;
  signDate: string;
  page: (n: number, of: number) => string;
  continued: string;
  date: (iso: string) => string;
}

const LABELS: Record<QuotePdfLocale, Labels> = {
  'zh-CN': {
    title: '报价单',
    quoteNumber: '报价单号',
    version: '版本',
    issueDate: '报价日期',
    validUntil: '有效期至',
    currency: '币种',
    customer: '客户',
    contact: '联系人',
    address: '地址',
    phone: '电话',
    email: '邮箱',
    taxId: { creditCode: '统一社会信用代码', other: '税号' },
    bankName: '开户行',
    bankAccount: '账号',
    columns: ['序号', '物料编码', '名称 / 描述', '数量', '单位', '目录单价', '成交单价', '折扣', '税率', '金额(不含税)', '税额'],
    listTotal: '目录价合计',
    discount: '折扣金额',
    netTotal: '不含税合计',
    tax: '税额合计',
    grandTotal: '价税合计',
    capitals: '人民币大写',
    validity: (date) => `本报价有效期至 ${date}，逾期需重新确认。`,
    terms: '条款与说明',
    sellerParty: '供方（盖章）',
    customerParty: '需方（盖章）',
    signatory: '授权代表签字',
    signDate: '日期',
    page: (n, of) => `第 ${n} / ${of} 页`,
    continued: '（续）',
    date: (iso) => {
      const [y, m, d] = iso.split('-');
      return `${y}年${Number(m)}月${Number(d)}日`;
    },
  },
  en: {
    title: 'QUOTATION',
    quoteNumber: 'Quote No.',
    version: 'Version',
    issueDate: 'Issue date',
    validUntil: 'Valid until',
    currency: 'Currency',
    customer: 'Customer',
    contact: 'Contact',
    address: 'Address',
    phone: 'Phone',
    email: 'Email',
    taxId: { creditCode: 'Tax ID', other: 'Tax ID' },
    bankName: 'Bank',
    bankAccount: 'Account',
    columns: ['#', 'SKU', 'Item / Description', 'Qty', 'Unit', 'List price', 'Unit price', 'Disc.', 'Tax', 'Net amount', 'Tax amount'],
    listTotal: 'List total',
    discount: 'Discount',
    netTotal: 'Net total',
    tax: 'Tax',
    grandTotal: 'Grand total',
    capitals: 'Amount in words (RMB)',
    validity: (date) => `This quotation is valid until ${date}.`,
    terms: 'Terms and conditions',
    sellerParty: 'For the seller (seal)',
    customerParty: 'For the customer (seal)',
    signatory: 'Authorized signature',
    signDate: 'Date',
    page: (n, of) => `Page ${n} of ${of}`,
    continued: '(continued)',
    date: (iso) => iso,
  },
};

// ---------------------------------------------------------------------------------------------
// Numbers.

function groupThousands(fixed: string): string {
  const negative = fixed.startsWith('-');
  const [int = '0', frac] = (negative ? fixed.slice(1) : fixed).split('.');
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${negative ? '-' : ''}${grouped}${frac === undefined ? '' : `.${frac}`}`;
}

/** "1234567.8" in CNY → "1,234,567.80": rounded half-up to the currency's minor unit, grouped by thousands. */
export function formatAmount(amount: string, currency: Currency): string {
  const rounded = Money.of(amount, currency).round('half_up');
  const fixed = rounded.amount.toFixed(CURRENCIES[currency]);
  // A rounded-away "-0.00" is printed as zero.
  return groupThousands(rounded.isZero() ? fixed.replace(/^-/, '') : fixed);
}

function formatQuantity(quantity: string | number): string {
  const text = typeof quantity === 'number' ? String(quantity) : quantity;
  if (!DECIMAL_PATTERN.test(text)) throw new RangeError(`not a decimal quantity: ${JSON.stringify(quantity)}`);
  return groupThousands(text);
}

/** "13.00" → "13%", "12.50" → "12.5%". */
function formatPercentText(percent: string | null): string {
  if (percent === null) return '—';
  if (!DECIMAL_PATTERN.test(percent)) throw new RangeError(`not a decimal percent: ${JSON.stringify(percent)}`);
  return `${new Dec(percent).toString()}%`;
}

// nzh writes 亿 groups up to 万亿; past that it falls back to 万万 / repeated 亿, which is not how
// amounts are written. Nothing on a quote comes near it, so refuse rather than print it wrong.
const CAPITALS_LIMIT = new Dec('10000000000000000'); // 10^16 = 1 亿亿

/**
 * The amount in Chinese capitals (大写金额) as printed on invoices and contracts, without the
 * "人民币" prefix: 1234567.89 → 壹佰贰拾叁万肆仟伍佰陆拾柒元捌角玖分, 100 → 壹佰元整, 0 → 零元整,
 * −5 → 负伍元整. The amount is first rounded half-up to fen (nzh itself truncates extra digits).
 */
export function amountInChineseCapitals(money: Money): string {
  if (money.currency !== 'CNY') throw new RangeError(`amount in capitals is for CNY amounts, not ${money.currency}`);
  const fen = money.round('half_up', 2).amount;
  if (fen.abs().greaterThanOrEqualTo(CAPITALS_LIMIT)) throw new RangeError(`amount too large for capitals: ${fen.toFixed(2)}`);
  // toFixed keeps every digit as text (no float, no exponent); zero loses its sign.
  const text = fen.isZero() ? '0.00' : fen.toFixed(2);
  return nzh.toMoney(text, { outSymbol: false, forceZheng: true });
}

// ---------------------------------------------------------------------------------------------
// Fonts.

const FONT_FILE = 'NotoSansCJK-Regular.ttc';
/** Known install locations: Debian/Ubuntu fonts-noto-cjk, Fedora/Arch, a manual install. */
export const KNOWN_CJK_FONT_DIRS = [
  '/usr/share/fonts/opentype/noto',
  '/usr/share/fonts/noto-cjk',
  '/usr/share/fonts/google-noto-cjk',
  '/usr/share/fonts/opentype/noto-cjk',
  '/usr/local/share/fonts',
] as const;

export class CjkFontMissingError extends Error {
  constructor(readonly searched: readonly string[]) {
    super(
      `Noto Sans CJK font not found (looked for ${searched.join(', ')}). ` +
        'Install the fonts-noto-cjk package (Debian/Ubuntu) or google-noto-sans-cjk-fonts, or pass fontPath.',
    );
    this.name = 'CjkFontMissingError';
  }
}

export interface CjkFontFiles {
  regular: string;
  /** The bold face beside the regular one, or the regular face when there is none. */
  bold: string;
}

/** The CJK font files to embed: `fontPath` if given (it must exist), else the first known location that has one. */
export function resolveCjkFont(fontPath?: string): CjkFontFiles {
  const candidates = fontPath !== undefined ? [fontPath] : KNOWN_CJK_FONT_DIRS.map((dir) => `${dir}/${FONT_FILE}`);
  const regular = candidates.find((p) => existsSync(p));
  if (regular === undefined) throw new CjkFontMissingError(candidates);
  const boldCandidate = regular.replace(/-Regular(\.[a-z]+)$/i, '-Bold$1');
  return { regular, bold: boldCandidate !== regular && existsSync(boldCandidate) ? boldCandidate : regular };
}

// The CJK collections are ~20 MB each; read them once per process.
const fontBytes = new Map<string, Buffer>();
function readFont(path: string): Buffer {
  let bytes = fontBytes.get(path);
  if (bytes === undefined) {
    bytes = readFileSync(path);
    fontBytes.set(path, bytes);
  }
  return bytes;
}

/** The face to pick inside a collection (.ttc); plain font files have one face. */
function collectionFace(path: string): string | undefined {
  if (!/\.ttc$/i.test(path)) return undefined;
  return /-Bold\.ttc$/i.test(path) ? 'NotoSansCJKsc-Bold' : 'NotoSansCJKsc-Regular';
}

// ---------------------------------------------------------------------------------------------
// Layout.

const PAGE = { width: 595.28, height: 841.89 }; // A4 in points
const MARGIN = 40;
const CONTENT_WIDTH = PAGE.width - 2 * MARGIN;
const FOOTER_Y = PAGE.height - 28;
/** Lowest y body content may reach; the footer lives below it. */
const BODY_BOTTOM = PAGE.height - MARGIN - 14;
const TABLE_FONT = 7.5;
const CELL_PAD = 2;

interface Column {
  width: number;
  align: 'left' | 'right' | 'center';
  /** Numbers stay on one line: a figure too wide for the column is set smaller instead of wrapped. */
  numeric: boolean;
}
// # | SKU | name | qty | unit | list | net unit | disc | tax% | net amount | tax amount  (sums to 515.28)
const COLUMNS: Column[] = [
  { width: 20, align: 'right', numeric: true },
  { width: 50, align: 'left', numeric: false },
  { width: 103.28, align: 'left', numeric: false },
  { width: 32, align: 'right', numeric: true },
  { width: 22, align: 'center', numeric: false },
  { width: 56, align: 'right', numeric: true },
  { width: 56, align: 'right', numeric: true },
  { width: 28, align: 'right', numeric: true },
  { width: 24, align: 'right', numeric: true },
  { width: 66, align: 'right', numeric: true },
  { width: 58, align: 'right', numeric: true },
];
const MIN_NUMBER_FONT = 4.5;

const REGULAR = 'cjk';
const BOLD = 'cjk-bold';

type Doc = PDFKit.PDFDocument;

function assertIsoDate(value: string, field: string): Date {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) throw new RangeError(`${field} must be YYYY-MM-DD, got ${JSON.stringify(value)}`);
  const date = new Date(`${value}T00:00:00Z`);
  if (Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== value) {
    throw new RangeError(`${field} is not a calendar date: ${value}`);
  }
  return date;
}

function cellTexts(line: QuoteDocumentLine, index: number, currency: Currency): string[] {
  const name = line.description ? `${line.name}\n${line.description}` : line.name;
  return [
    String(index + 1),
    line.sku,
    name,
    formatQuantity(line.quantity),
    line.unit,
    line.listUnitPrice === null ? '—' : formatAmount(line.listUnitPrice, currency),
    formatAmount(line.netUnitPrice, currency),
    formatPercentText(line.discountPct),
    formatPercentText(line.taxRate),
    formatAmount(line.netAmount, currency),
    formatAmount(line.taxAmount, currency),
  ];
}

/** The font size at which a numeric cell fits its column on one line. */
function numberSize(doc: Doc, text: string, width: number): number {
  let size = TABLE_FONT;
  doc.fontSize(size);
  while (size > MIN_NUMBER_FONT && doc.widthOfString(text) > width) {
    size -= 0.5;
    doc.fontSize(size);
  }
  return size;
}

function rowHeight(doc: Doc, texts: readonly string[], font: string, header: boolean): number {
  doc.font(font).fontSize(TABLE_FONT);
  let height = 0;
  texts.forEach((text, i) => {
    const col = COLUMNS[i]!;
    const width = col.width - 2 * CELL_PAD;
    height = Math.max(height, col.numeric && !header ? doc.currentLineHeight() : doc.heightOfString(text, { width }));
    doc.fontSize(TABLE_FONT);
  });
  return height + 2 * CELL_PAD;
}

function drawRow(doc: Doc, texts: readonly string[], y: number, height: number, font: string, header: boolean): void {
  if (header) doc.save().rect(MARGIN, y, CONTENT_WIDTH, height).fill('#eef1f5').restore();
  doc.font(font).fillColor('#000000');
  let x = MARGIN;
  texts.forEach((text, i) => {
    const col = COLUMNS[i]!;
    const width = col.width - 2 * CELL_PAD;
    if (col.numeric && !header) {
      const size = numberSize(doc, text, width);
      // Smaller figures sit on the same baseline as the rest of the row.
      const shift = (TABLE_FONT - size) * 0.9;
      doc.text(text, x + CELL_PAD, y + CELL_PAD + shift, { width, align: col.align, lineBreak: false });
    } else {
      doc.fontSize(TABLE_FONT).text(text, x + CELL_PAD, y + CELL_PAD, { width, align: col.align });
    }
    x += col.width;
  });
  doc
    .save()
    .moveTo(MARGIN, y + height)
    .lineTo(MARGIN + CONTENT_WIDTH, y + height)
    .lineWidth(0.4)
    .strokeColor('#b0b7c3')
    .stroke()
    .restore();
}

/** Moves to a new page when `height` more points do not fit; returns the y to draw at. */
function ensureSpace(doc: Doc, y: number, height: number): { y: number; newPage: boolean } {
  if (y + height <= BODY_BOTTOM) return { y, newPage: false };
  doc.addPage();
  return { y: MARGIN, newPage: true };
}

/** Label/value pairs in two aligned columns starting at (x, y); returns the y below them. */
function drawPairs(doc: Doc, pairs: ReadonlyArray<readonly [string, string]>, x: number, y: number, labelWidth: number, valueWidth: number): number {
  doc.fontSize(9);
  for (const [label, value] of pairs) {
    doc.font(REGULAR).fillColor('#555555').text(label, x, y, { width: labelWidth });
    doc.font(REGULAR).fillColor('#000000');
    const h = doc.heightOfString(value, { width: valueWidth });
    doc.text(value, x + labelWidth, y, { width: valueWidth });
    y += Math.max(h, 12) + 1;
  }
  return y;
}

function drawHeader(doc: Doc, q: QuoteDocument, t: Labels): number {
  const leftWidth = CONTENT_WIDTH * 0.58;
  doc.font(BOLD).fontSize(15).fillColor('#000000').text(q.seller.name, MARGIN, MARGIN, { width: leftWidth });
  let leftY = doc.y + 2;
  doc.font(REGULAR).fontSize(8.5).fillColor('#333333');
  const s = q.seller;
  const sellerLines = (
    [
      [t.address, s.address],
      [t.phone, s.phone],
      [t.email, s.email],
      [s.taxId && hasUsccShape(s.taxId) ? t.taxId.creditCode : t.taxId.other, s.taxId],
      [t.bankName, s.bankName],
      [t.bankAccount, s.bankAccount],
    ] as const
  )
    .filter(([, value]) => value !== undefined && value.trim() !== '')
    .map(([label, value]) => `${label}: ${value}`);
  for (const line of sellerLines) {
    doc.text(line, MARGIN, leftY, { width: leftWidth });
    leftY = doc.y + 1;
  }

  const rightX = MARGIN + leftWidth + 10;
  const rightWidth = CONTENT_WIDTH - leftWidth - 10;
  doc.font(BOLD).fontSize(18).fillColor('#1f3a5f').text(t.title, rightX, MARGIN, { width: rightWidth, align: 'right' });
  const rightY = drawPairs(
    doc,
    [
      [t.quoteNumber, q.quoteNumber],
      [t.version, `v${q.versionNumber}`],
      [t.issueDate, t.date(q.issueDate)],
      [t.validUntil, t.date(q.validUntil)],
      [t.currency, q.currency],
    ],
    rightX,
    doc.y + 4,
    70,
    rightWidth - 70,
  );

  let y = Math.max(leftY, rightY) + 6;
  doc.save().moveTo(MARGIN, y).lineTo(MARGIN + CONTENT_WIDTH, y).lineWidth(1).strokeColor('#1f3a5f').stroke().restore();
  y += 8;

  doc.font(BOLD).fontSize(10).fillColor('#000000').text(t.customer, MARGIN, y);
  y = doc.y + 2;
  const customerPairs: Array<readonly [string, string]> = [];
  // The legal (usually Chinese) name is always printed; the English name joins it on English documents.
  const names = q.customer.nameEn ? [q.customer.name, q.customer.nameEn] : [q.customer.name];
  doc.font(BOLD).fontSize(11);
  for (const name of names) {
    doc.text(name, MARGIN, y, { width: CONTENT_WIDTH });
    y = doc.y + 1;
  }
  if (q.customer.address) customerPairs.push([t.address, q.customer.address]);
  if (q.customer.contact) customerPairs.push([t.contact, q.customer.contact]);
  y = drawPairs(doc, customerPairs, MARGIN, y + 2, 60, CONTENT_WIDTH - 60);
  return y + 8;
}

function drawTable(doc: Doc, q: QuoteDocument, t: Labels, startY: number): number {
  const headerTexts = t.columns;
  const headerHeight = rowHeight(doc, headerTexts, BOLD, true);
  let y = startY;
  const header = (continued: boolean): void => {
    if (continued) {
      doc.font(REGULAR).fontSize(8).fillColor('#555555');
      doc.text(`${q.quoteNumber} v${q.versionNumber} ${t.continued}`, MARGIN, y, { width: CONTENT_WIDTH });
      y = doc.y + 4;
    }
    drawRow(doc, headerTexts, y, headerHeight, BOLD, true);
    y += headerHeight;
  };

  ({ y } = ensureSpace(doc, y, headerHeight * 2));
  header(false);
  q.lines.forEach((line, i) => {
    const texts = cellTexts(line, i, q.currency);
    const h = rowHeight(doc, texts, REGULAR, false);
    const placed = ensureSpace(doc, y, h);
    y = placed.y;
    if (placed.newPage) header(true);
    drawRow(doc, texts, y, h, REGULAR, false);
    y += h;
  });
  return y + 8;
}

function drawTotals(doc: Doc, q: QuoteDocument, t: Labels, locale: QuotePdfLocale, startY: number): number {
  const rows: Array<readonly [string, string, boolean]> = [
    [t.listTotal, q.totals.list, false],
    [t.discount, q.totals.discount, false],
    [t.netTotal, q.totals.net, false],
    [t.tax, q.totals.tax, false],
    [t.grandTotal, q.totals.grandTotal, true],
  ];
  // 人民币大写 is a Chinese-document convention for RMB amounts.
  const capitals = locale === 'zh-CN' && q.currency === 'CNY';
  const needed = rows.length * 15 + (capitals ? 30 : 0);
  let { y } = ensureSpace(doc, startY, needed);
  const labelX = MARGIN + CONTENT_WIDTH - 260;
  for (const [label, amount, strong] of rows) {
    doc.font(strong ? BOLD : REGULAR).fontSize(strong ? 11 : 9).fillColor('#000000');
    doc.text(label, labelX, y, { width: 120 });
    doc.text(`${q.currency} ${formatAmount(amount, q.currency)}`, labelX + 120, y, { width: 140, align: 'right' });
    y = doc.y + 3;
  }
  if (capitals) {
    const words = amountInChineseCapitals(Money.of(q.totals.grandTotal, 'CNY'));
    doc.font(BOLD).fontSize(10).text(`${t.capitals}：${words}`, MARGIN, y + 2, { width: CONTENT_WIDTH, align: 'right' });
    y = doc.y + 3;
  }
  return y + 10;
}

function drawClosing(doc: Doc, q: QuoteDocument, t: Labels, startY: number): void {
  let { y } = ensureSpace(doc, startY, 40);
  doc.font(BOLD).fontSize(9.5).fillColor('#000000').text(t.validity(t.date(q.validUntil)), MARGIN, y, { width: CONTENT_WIDTH });
  y = doc.y + 8;
  if (q.terms.trim() !== '') {
    ({ y } = ensureSpace(doc, y, 40));
    doc.font(BOLD).fontSize(10).text(t.terms, MARGIN, y, { width: CONTENT_WIDTH });
    // Long terms flow onto further pages on their own (pdfkit breaks at the bottom margin).
    doc.font(REGULAR).fontSize(8.5).text(q.terms, MARGIN, doc.y + 3, { width: CONTENT_WIDTH, lineGap: 1.5 });
    y = doc.y + 14;
  }

  const blockHeight = 90;
  ({ y } = ensureSpace(doc, y, blockHeight));
  const half = (CONTENT_WIDTH - 20) / 2;
  const parties: Array<readonly [string, number]> = [
    [q.signature?.seller ?? `${t.sellerParty}: ${q.seller.name}`, MARGIN],
    [q.signature?.customer ?? `${t.customerParty}: ${q.customer.name}`, MARGIN + half + 20],
  ];
  for (const [party, x] of parties) {
    doc.font(BOLD).fontSize(9).fillColor('#000000').text(party, x, y, { width: half });
    const lineY = y + 48;
    doc.font(REGULAR).fontSize(8.5).text(q.signature?.signatory ?? t.signatory, x, lineY - 11, { width: half });
    doc.save().moveTo(x + 80, lineY).lineTo(x + half, lineY).lineWidth(0.5).strokeColor('#000000').stroke().restore();
    doc.font(REGULAR).fontSize(8.5).text(q.signature?.date ?? t.signDate, x, lineY + 14, { width: half });
    doc.save().moveTo(x + 80, lineY + 25).lineTo(x + half, lineY + 25).lineWidth(0.5).strokeColor('#000000').stroke().restore();
  }
}

function drawPageNumbers(doc: Doc, q: QuoteDocument, t: Labels): void {
  const range = doc.bufferedPageRange();
  for (let i = 0; i < range.count; i++) {
    doc.switchToPage(range.start + i);
    // The footer sits inside the bottom margin; lift the margin so writing there adds no page.
    const bottom = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    doc.font(REGULAR).fontSize(8).fillColor('#555555');
    doc.text(`${q.quoteNumber} v${q.versionNumber}`, MARGIN, FOOTER_Y, { width: CONTENT_WIDTH / 2, lineBreak: false });
    doc.text(t.page(i + 1, range.count), MARGIN + CONTENT_WIDTH / 2, FOOTER_Y, {
      width: CONTENT_WIDTH / 2,
      align: 'right',
      lineBreak: false,
    });
    doc.page.margins.bottom = bottom;
  }
}

function validate(q: QuoteDocument): Date {
  const issued = assertIsoDate(q.issueDate, 'issueDate');
  assertIsoDate(q.validUntil, 'validUntil');
  if (!Object.prototype.hasOwnProperty.call(CURRENCIES, q.currency)) throw new RangeError(`unknown currency: ${q.currency}`);
  if (!Number.isInteger(q.versionNumber) || q.versionNumber < 1) throw new RangeError(`versionNumber must be a positive integer`);
  return issued;
}

/** The download name of a version's document: `Q-2026-000123-v2-zh-CN.pdf` (characters unsafe in file names become "_"). */
export function quotePdfFileName(q: Pick<QuoteDocument, 'quoteNumber' | 'versionNumber'>, locale: QuotePdfLocale): string {
  return `${q.quoteNumber.replace(/[^A-Za-z0-9._-]/g, '_')}-v${q.versionNumber}-${locale}.pdf`;
}

/** Renders the quote document; the same input (and font file) always gives the same bytes. */
export async function renderQuotePdf(q: QuoteDocument, options: RenderQuotePdfOptions): Promise<Buffer> {
  const issued = validate(q);
  const t = LABELS[options.locale];
  const fonts = resolveCjkFont(options.fontPath);

  const doc = new PDFDocument({
    size: 'A4',
    margins: { top: MARGIN, bottom: MARGIN, left: MARGIN, right: MARGIN },
    bufferPages: true,
    lang: options.locale,
    displayTitle: true,
    info: {
      Title: `${t.title} ${q.quoteNumber} v${q.versionNumber}`,
      Author: q.seller.name,
      Subject: q.customer.name,
      Producer: 'Throughline',
      Creator: 'Throughline',
      // Fixed from the document itself: the file id is a hash of this info, so no clock leaks in.
      CreationDate: issued,
      ModDate: issued,
    },
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  doc.registerFont(REGULAR, readFont(fonts.regular), collectionFace(fonts.regular));
  doc.registerFont(BOLD, readFont(fonts.bold), collectionFace(fonts.bold));

  let y = drawHeader(doc, q, t);
  y = drawTable(doc, q, t, y);
  y = drawTotals(doc, q, t, options.locale, y);
  drawClosing(doc, q, t, y);
  drawPageNumbers(doc, q, t);
  doc.end();
  return done;
}
