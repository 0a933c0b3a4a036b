import { describe, expect, it } from 'vitest';
import { mapProblemToFields } from './problem-fields.ts';
import { productFieldOf } from './product-form-values.ts';

describe('mapProblemToFields with the product drawer', () => {
  it('puts bundle rows and cost on their fields and keeps the rest for the alert', () => {
    const { fields, unmatched } = mapProblemToFields(
      [
        { path: 'body.sku', message: 'taken' },
        { path: 'cost.amount', message: 'bad amount' },
        { path: 'bundle.components.1.productId', message: 'unknown product' },
        { path: 'bundle.components.1.productId', message: 'inactive' },
        { path: 'bundle.features.0.maxOptions', message: 'below min' },
        { path: 'bundle', message: 'a bundle cannot contain itself' },
        { path: 'headers.idempotency-key', message: 'missing' },
      ],
      productFieldOf,
    );
    expect(fields).toEqual([
      { name: 'sku', errors: ['taken'] },
      { name: 'costAmount', errors: ['bad amount'] },
      { name: ['components', 1, 'productId'], errors: ['unknown product', 'inactive'] },
      { name: ['features', 0, 'maxOptions'], errors: ['below min'] },
      { name: 'isBundle', errors: ['a bundle cannot contain itself'] },
    ]);
    expect(unmatched).toEqual([{ path: 'headers.idempotency-key', message: 'missing' }]);
  });
});
