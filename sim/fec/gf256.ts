/**
 * Arithmetic in GF(2^8), the field of bytes used by Reed-Solomon codes, with the primitive
 * polynomial x^8 + x^4 + x^3 + x^2 + 1 (0x11d, the usual choice of storage and network RS
 * codecs). Addition is XOR; multiplication goes through log and exp tables of the generator 2.
 * Used by the reference Reed-Solomon codec that checks the decode rule the simulator assumes.
 */

const EXP = new Uint8Array(512);
const LOG = new Uint8Array(256);
{
  let x = 1;
  for (let i = 0; i < 255; i++) {
    EXP[i] = x;
    LOG[x] = i;
    x <<= 1;
    if (x & 0x100) x ^= 0x11d;
  }
  // Doubling the table lets mul() skip a modulo.
  for (let i = 255; i < 512; i++) EXP[i] = EXP[i - 255];
}

/** Product of two field elements (bytes). */
export function gfMul(a: number, b: number): number {
  if (a === 0 || b === 0) return 0;
  return EXP[LOG[a] + LOG[b]];
}

/** Multiplicative inverse of a non-zero field element. */
export function gfInv(a: number): number {
  if (a === 0) throw new RangeError("0 has no inverse in GF(256)");
  return EXP[255 - LOG[a]];
}

/**
 * Rank of a matrix over GF(256) (rows of equal length), by Gaussian elimination on a copy.
 * A k x k system of coded symbols is solvable exactly when its rank is k.
 */
export function gfRank(rows: readonly Uint8Array[]): number {
  const m = rows.map((row) => Uint8Array.from(row));
  const columns = m.length > 0 ? m[0].length : 0;
  let rank = 0;
  for (let col = 0; col < columns && rank < m.length; col++) {
    let pivot = rank;
    while (pivot < m.length && m[pivot][col] === 0) pivot++;
    if (pivot === m.length) continue;
    [m[rank], m[pivot]] = [m[pivot], m[rank]];
    const inv = gfInv(m[rank][col]);
    for (let r = 0; r < m.length; r++) {
      if (r === rank || m[r][col] === 0) continue;
      const f = gfMul(m[r][col], inv);
      for (let c = col; c < columns; c++) m[r][c] ^= gfMul(f, m[rank][c]);
    }
    rank++;
  }
  return rank;
}

/**
 * Inverse of a square matrix over GF(256) by Gauss-Jordan elimination; undefined when the
 * matrix is singular.
 */
export function gfInvert(rows: readonly Uint8Array[]): Uint8Array[] | undefined {
  const size = rows.length;
  const a = rows.map((row) => Uint8Array.from(row));
  const inv = rows.map((_, i) => {
    const row = new Uint8Array(size);
    row[i] = 1;
    return row;
  });
  for (let col = 0; col < size; col++) {
    let pivot = col;
    while (pivot < size && a[pivot][col] === 0) pivot++;
    if (pivot === size) return undefined;
    [a[col], a[pivot]] = [a[pivot], a[col]];
    [inv[col], inv[pivot]] = [inv[pivot], inv[col]];
    const scale = gfInv(a[col][col]);
    for (let c = 0; c < size; c++) {
      a[col][c] = gfMul(a[col][c], scale);
      inv[col][c] = gfMul(inv[col][c], scale);
    }
    for (let r = 0; r < size; r++) {
      if (r === col || a[r][col] === 0) continue;
      const f = a[r][col];
      for (let c = 0; c < size; c++) {
        a[r][c] ^= gfMul(f, a[col][c]);
        inv[r][c] ^= gfMul(f, inv[col][c]);
      }
    }
  }
  return inv;
}

/**
 * Multiplies a matrix (rows over GF(256)) by a list of equal-length byte vectors (one per
 * column): out[i] = sum over j of rows[i][j] * vectors[j], the byte-wise linear combination a
 * codec applies to symbols.
 */
export function gfCombine(
  rows: readonly Uint8Array[],
  vectors: readonly Uint8Array[],
): Uint8Array[] {
  const length = vectors.length > 0 ? vectors[0].length : 0;
  return rows.map((row) => {
    const out = new Uint8Array(length);
    for (let j = 0; j < row.length; j++) {
      const f = row[j];
      if (f === 0) continue;
      const v = vectors[j];
      for (let b = 0; b < length; b++) out[b] ^= gfMul(f, v[b]);
    }
    return out;
  });
}
