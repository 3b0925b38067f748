import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultNormalizeScore, defaultNormalizeScoreValues } from './normalize-score.js';

describe('defaultNormalizeScoreValues', () => {
  it('gives the same scores as defaultNormalizeScore, reversed or not', () => {
    for (const raw of [[0, 0, 0], [3, 0, 7, 7, 1], [1], [50, 25, 12, 0]]) {
      for (const reverse of [false, true]) {
        const list = raw.map((score, i) => ({ name: `n-${i}`, score }));
        defaultNormalizeScore(list, reverse);
        const values = Float64Array.from(raw);
        assert.ok(defaultNormalizeScoreValues(values, reverse).isSuccess());
        assert.deepEqual([...values], list.map((s) => s.score), `${raw} reverse=${reverse}`);
      }
    }
  });
});
