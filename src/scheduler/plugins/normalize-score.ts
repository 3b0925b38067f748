import { maxNodeScore, Status, type NodeScore } from '../framework/index.js';

/**
 * Scales scores so the highest becomes `max` (upstream's helper.DefaultNormalizeScore); with
 * `reverse`, a high raw score becomes a low one. When every score is 0, all become `max` if reversed.
 */
export function defaultNormalizeScore(scores: NodeScore[], reverse: boolean, max = maxNodeScore): Status {
  let highest = 0;
  for (const s of scores) if (s.score > highest) highest = s.score;
  if (highest === 0) {
    if (reverse) for (const s of scores) s.score = max;
    return Status.success();
  }
  for (const s of scores) {
    let v = Math.trunc((max * s.score) / highest);
    if (reverse) v = max - v;
    s.score = v;
  }
  return Status.success();
}

/** defaultNormalizeScore over bare scores, in place. */
export function defaultNormalizeScoreValues(scores: Float64Array, reverse: boolean, max = maxNodeScore): Status {
  let highest = 0;
  for (let i = 0; i < scores.length; i++) if (scores[i] > highest) highest = scores[i];
  if (highest === 0) {
    if (reverse) scores.fill(max);
    return Status.success();
  }
  for (let i = 0; i < scores.length; i++) {
    let v = Math.trunc((max * scores[i]) / highest);
    if (reverse) v = max - v;
    scores[i] = v;
  }
  return Status.success();
}
