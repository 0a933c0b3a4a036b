import { randomBytes } from 'node:crypto';

/**
 * Time-ordered UUIDs (RFC 9562 version 7), made in the app because PostgreSQL 15 has no uuidv7().
 * Monotonic within a process: ids made in the same millisecond still sort in creation order,
 * which keeps B-tree inserts at the right edge and makes `ORDER BY id` a creation order.
 */
let lastMs = 0;
let seq = 0;

export function newId(now: number = Date.now()): string {
  let ms = now;
  if (ms <= lastMs) {
    ms = lastMs;
    seq++;
    if (seq > 0xfff) {
      // 4096 ids in one millisecond: borrow the next millisecond rather than lose order.
      ms = lastMs + 1;
      seq = 0;
    }
  } else {
    seq = 0;
  }
  lastMs = ms;
  const rnd = randomBytes(8);
  const b = Buffer.alloc(16);
  b.writeUIntBE(ms, 0, 6);
  b[6] = 0x70 | ((seq >> 8) & 0x0f);
  b[7] = seq & 0xff;
  b[8] = 0x80 | (rnd[0]! & 0x3f);
  rnd.copy(b, 9, 1, 8);
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
