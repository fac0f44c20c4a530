/** Levenshtein edit distance between two short strings (case-insensitive). */
export function editDistance(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  const previous = new Array<number>(t.length + 1);
  for (let j = 0; j <= t.length; j++) previous[j] = j;
  for (let i = 1; i <= s.length; i++) {
    let diagonal = previous[0];
    previous[0] = i;
    for (let j = 1; j <= t.length; j++) {
      const above = previous[j];
      previous[j] = Math.min(
        above + 1,
        previous[j - 1] + 1,
        diagonal + (s[i - 1] === t[j - 1] ? 0 : 1),
      );
      diagonal = above;
    }
  }
  return previous[t.length];
}

/**
 * The candidate closest to `word`, if it is close enough to be a likely misspelling: within a
 * third of the word's length in edits (at least 1, at most 3), or a case-insensitive match.
 */
export function closestMatch(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const distance = editDistance(word, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  const allowed = Math.min(3, Math.max(1, Math.floor(word.length / 3)));
  return bestDistance <= allowed ? best : undefined;
}
