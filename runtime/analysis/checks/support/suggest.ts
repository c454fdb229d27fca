/**
 * Did-you-mean suggestions for misspelt names (ids, types, pools, hosts, properties). Only failing
 * names ask, and every Suggester has a budget of comparisons, so a file where thousands of names are
 * wrong (a mass rename) still costs a bounded amount: past the budget, diagnostics simply carry no
 * suggestion.
 */

/** Comparisons one Suggester may make in all (one check run). */
const DEFAULT_BUDGET = 200_000;

export class Suggester {
  private readonly memo = new Map<string, string | undefined>();
  private budget: number;
  private list: string[] | undefined;

  constructor(private readonly candidates: () => Iterable<string>, budget = DEFAULT_BUDGET) {
    this.budget = budget;
  }

  /** The closest candidate to `word`, or undefined when none is close enough (or the budget is spent). */
  suggest(word: string): string | undefined {
    if (this.memo.has(word)) return this.memo.get(word);
    if (this.budget <= 0) return undefined;
    this.list ??= [...this.candidates()];
    const result = closest(word, this.list, this.budget);
    this.budget -= Math.min(this.list.length, this.budget);
    this.memo.set(word, result);
    return result;
  }
}

/** One-off suggestion over a small list. */
export function didYouMean(word: string, candidates: Iterable<string>): string | undefined {
  return closest(word, [...candidates], DEFAULT_BUDGET);
}

/** The edit distance allowed for a word of this length: short names tolerate one typo, long ones three. */
function tolerance(length: number): number {
  return length <= 3 ? 1 : length <= 7 ? 2 : 3;
}

/**
 * Best candidate by edit distance (case differences count as nearly nothing), then by prefix (a
 * truncated or extended name), preferring the closest length and then the earliest candidate.
 */
function closest(word: string, candidates: readonly string[], budget: number): string | undefined {
  if (!word) return undefined;
  const lower = word.toLowerCase();
  const limit = tolerance(word.length);
  let best: string | undefined;
  let bestScore = Infinity;
  let prefix: string | undefined;
  let prefixGap = Infinity;
  const count = Math.min(candidates.length, budget);
  for (let i = 0; i < count; i++) {
    const candidate = candidates[i];
    if (candidate === word || !candidate) continue;
    const candidateLower = candidate.toLowerCase();
    if (candidateLower === lower) return candidate;
    const gap = Math.abs(candidate.length - word.length);
    if (gap <= limit) {
      const max = Math.min(limit, bestScore - 1);
      if (max >= 0) {
        const d = boundedDistance(lower, candidateLower, max);
        if (d <= max && d < bestScore) { bestScore = d; best = candidate; }
      }
    }
    if (best === undefined && gap < prefixGap && Math.min(word.length, candidate.length) >= 3
      && (candidateLower.startsWith(lower) || lower.startsWith(candidateLower))) {
      prefix = candidate;
      prefixGap = gap;
    }
  }
  return best ?? prefix;
}

/**
 * Optimal-string-alignment distance (insert, delete, substitute, swap two neighbours), or max + 1 as
 * soon as it must exceed `max`. Two rolling rows plus the one before for transpositions.
 */
export function boundedDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  const m = b.length;
  let before = new Array<number>(m + 1).fill(0);
  let previous = new Array<number>(m + 1);
  let current = new Array<number>(m + 1);
  for (let j = 0; j <= m; j++) previous[j] = j;
  for (let i = 1; i <= a.length; i++) {
    current[0] = i;
    let rowMin = i;
    const ca = a.charCodeAt(i - 1);
    for (let j = 1; j <= m; j++) {
      const cb = b.charCodeAt(j - 1);
      let d = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca === cb ? 0 : 1));
      if (i > 1 && j > 1 && ca === b.charCodeAt(j - 2) && a.charCodeAt(i - 2) === cb) d = Math.min(d, before[j - 2] + 1);
      current[j] = d;
      if (d < rowMin) rowMin = d;
    }
    if (rowMin > max) return max + 1;
    [before, previous, current] = [previous, current, before];
  }
  return previous[m] > max ? max + 1 : previous[m];
}

/** `'a', 'b' or 'c'` for messages. */
export function quoteList(names: readonly string[], conjunction = 'and'): string {
  const quoted = names.map((n) => `'${n}'`);
  if (quoted.length <= 1) return quoted.join('');
  return `${quoted.slice(0, -1).join(', ')} ${conjunction} ${quoted[quoted.length - 1]}`;
}
