import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { slabAlloc } from './score-slab.js';

describe('slabAlloc', () => {
  it('answers zeroed arrays of the asked length that do not overlap', () => {
    const arrays: Float64Array[] = [];
    for (let i = 0; i < 200; i++) {
      const a = slabAlloc(2500);
      assert.equal(a.length, 2500);
      assert.ok(a.every((x) => x === 0));
      a.fill(i + 1);
      arrays.push(a);
    }
    arrays.forEach((a, i) => assert.ok(a.every((x) => x === i + 1), `array ${i} kept its values`));
    const big = slabAlloc(1_000_000);
    assert.equal(big.length, 1_000_000);
    assert.ok(big.every((x) => x === 0));
  });
});
