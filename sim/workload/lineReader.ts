import { closeSync, openSync, readSync } from "node:fs";
import { StringDecoder } from "node:string_decoder";

/** Bytes read from a file at a time by {@link forEachLine}. */
export const LINE_READER_CHUNK_BYTES = 1 << 20;

/** Longest line {@link forEachLine} accepts, in characters (a limit, so a binary file fails). */
export const MAX_LINE_CHARACTERS = 1 << 16;

/** What {@link forEachLine} saw, for callers and tests. */
export interface LineReadStats {
  /** Lines passed to the callback (including blank ones). */
  lines: number;
  /** Bytes read from the file. */
  bytes: number;
  /** Most characters held at once (one chunk plus a partial line): the reader's footprint. */
  maxHeldCharacters: number;
}

/**
 * Calls `onLine(line, lineNumber)` for every line of a file (1-based line numbers, without the
 * line ending), reading it a chunk at a time, so that a trace of millions of rows is never held
 * in memory whole. Synchronous, because scenarios are loaded synchronously. Throws when the file
 * cannot be opened or a line is longer than {@link MAX_LINE_CHARACTERS}.
 */
export function forEachLine(
  path: string,
  onLine: (line: string, lineNumber: number) => void,
  chunkBytes = LINE_READER_CHUNK_BYTES,
): LineReadStats {
  const stats: LineReadStats = { lines: 0, bytes: 0, maxHeldCharacters: 0 };
  const fd = openSync(path, "r");
  try {
    const buffer = Buffer.allocUnsafe(chunkBytes);
    // The decoder keeps a multi-byte character that straddles two chunks whole.
    const decoder = new StringDecoder("utf8");
    let pending = "";
    const emit = (line: string) => {
      stats.lines++;
      onLine(line.endsWith("\r") ? line.slice(0, -1) : line, stats.lines);
    };
    for (;;) {
      const read = readSync(fd, buffer, 0, chunkBytes, null);
      if (read === 0) break;
      stats.bytes += read;
      const text = pending + decoder.write(buffer.subarray(0, read));
      stats.maxHeldCharacters = Math.max(stats.maxHeldCharacters, text.length);
      let start = 0;
      for (;;) {
        const end = text.indexOf("\n", start);
        if (end < 0) break;
        emit(text.slice(start, end));
        start = end + 1;
      }
      pending = text.slice(start);
      if (pending.length > MAX_LINE_CHARACTERS) {
        throw new Error(`line ${stats.lines + 1} is longer than ${MAX_LINE_CHARACTERS} characters`);
      }
    }
    pending += decoder.end();
    if (pending !== "") emit(pending);
  } finally {
    closeSync(fd);
  }
  return stats;
}
