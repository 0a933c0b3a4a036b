import { QueryClient, QueryObserver } from '@tanstack/react-query';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { PricePreviewBody } from '../../../../server/modules/quotes/approval-contract.ts';
import { pricePreviewQuery } from './quotes-queries.ts';

/**
 * The editor's live price preview as TanStack Query runs it (no React: the observer a hook would
 * hold): when the body changes, the request for the old body is aborted, and only the newest answer
 * reaches the screen.
 */

interface Call {
  body: PricePreviewBody;
  signal: AbortSignal | null | undefined;
  answer: (value: unknown) => void;
}
let calls: Call[];

beforeEach(() => {
  calls = [];
  // A server that answers only when the test says so, and honours aborts as browsers do.
  vi.stubGlobal('fetch', (_url: string, init: RequestInit) => {
    return new Promise<Response>((resolve, reject) => {
      calls.push({
        body: JSON.parse(init.body as string) as PricePreviewBody,
        signal: init.signal,
        answer: (value) => resolve(new Response(JSON.stringify(value), { status: 200, headers: { 'content-type': 'application/json' } })),
      });
      init.signal?.addEventListener('abort', () => reject(init.signal!.reason as Error));
    });
  });
});

afterEach(() => {
  vi.unstubAllGlobals();
});

const body = (quantity: number): PricePreviewBody => ({
  opportunityId: '00000000-0000-4000-8000-000000000001',
  priceBookId: '00000000-0000-4000-8000-000000000002',
  currency: 'CNY',
  lines: [{ productId: '00000000-0000-4000-8000-000000000003', quantity }],
});

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('the price preview query', () => {
  it('aborts the request of a superseded body and shows the newest answer', async () => {
    const client = new QueryClient();
    const observer = new QueryObserver(client, pricePreviewQuery(body(1)));
    const seen: unknown[] = [];
    const unsubscribe = observer.subscribe((r) => {
      if (r.data) seen.push(r.data);
    });
    await settle();
    expect(calls.map((c) => c.body.lines[0]!.quantity)).toEqual([1]);

    observer.setOptions(pricePreviewQuery(body(2)));
    await settle();
    expect(calls.map((c) => c.body.lines[0]!.quantity)).toEqual([1, 2]);
    expect(calls[0]!.signal?.aborted).toBe(true);
    expect(calls[1]!.signal?.aborted).toBe(false);

    calls[1]!.answer({ priced: [], approvalRequired: false, quantity: 2 });
    await vi.waitFor(() => expect(observer.getCurrentResult().data).toMatchObject({ quantity: 2 }));
    // The aborted request never became data, and left no error behind.
    expect(seen).toEqual([{ priced: [], approvalRequired: false, quantity: 2 }]);
    expect(observer.getCurrentResult().error).toBeNull();
    unsubscribe();
    client.clear();
  });

  it('asks nothing for a body without lines', async () => {
    const client = new QueryClient();
    const observer = new QueryObserver(client, pricePreviewQuery({ ...body(1), lines: [] }));
    const unsubscribe = observer.subscribe(() => {});
    await settle();
    expect(calls).toEqual([]);
    unsubscribe();
    client.clear();
  });
});
