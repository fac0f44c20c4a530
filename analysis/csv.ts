import { csvParseRows } from "d3";
import type { CellKind } from "../sim/results/csvFiles.ts";

/** A parsed CSV table: header names and rows of cells, with the file's line numbers. */
export interface CsvTable {
  file: string;
  header: string[];
  rows: { line: number; cells: string[] }[];
}

/** Parses CSV text strictly: a header, then rows with exactly as many fields as the header. */
export function parseCsv(file: string, text: string, required: readonly string[]): CsvTable {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const raw = csvParseRows(body);
  const lines: { line: number; cells: string[] }[] = [];
  raw.forEach((cells, index) => {
    if (cells.length === 1 && cells[0].trim() === "") return; // blank line
    lines.push({ line: index + 1, cells });
  });
  if (lines.length === 0) throw new Error(`${file}: empty file, expected a header row`);
  const header = lines[0].cells.map((name) => name.trim());
  const seen = new Set<string>();
  for (const name of header) {
    if (name === "") throw new Error(`${file}: line 1: empty column name in header`);
    if (seen.has(name)) throw new Error(`${file}: line 1: duplicate column "${name}"`);
    seen.add(name);
  }
  const missing = required.filter((name) => !seen.has(name));
  if (missing.length > 0) {
    throw new Error(
      `${file}: line 1: missing column(s) ${missing.map((m) => `"${m}"`).join(", ")}`,
    );
  }
  const rows = lines.slice(1);
  for (const row of rows) {
    if (row.cells.length !== header.length) {
      throw new Error(
        `${file}: line ${row.line}: expected ${header.length} fields, got ${row.cells.length}`,
      );
    }
  }
  return { file, header, rows };
}

/** Reads typed cells out of a {@link CsvTable} row, with errors naming file, line and column. */
export class CsvRowReader {
  private readonly index: Map<string, number>;

  constructor(private readonly table: CsvTable) {
    this.index = new Map(table.header.map((name, i) => [name, i]));
  }

  private cell(row: { line: number; cells: string[] }, column: string): string {
    const i = this.index.get(column);
    if (i === undefined) throw new Error(`${this.table.file}: no column "${column}"`);
    return row.cells[i].trim();
  }

  private fail(row: { line: number }, column: string, expected: string, got: string): never {
    const shown = got.length > 40 ? `${got.slice(0, 40)}...` : got;
    throw new Error(
      `${this.table.file}: line ${row.line}: column "${column}": expected ${expected}, got "${shown}"`,
    );
  }

  /** The cell of `column` read as `kind` says (see sim/results/csvFiles.ts). */
  read(row: { line: number; cells: string[] }, column: string, kind: CellKind): unknown {
    switch (kind) {
      case "name":
        return this.string(row, column);
      case "text":
        return this.text(row, column);
      case "number":
        return this.number(row, column);
      case "number?":
        return this.optionalNumber(row, column);
      case "flag":
        return this.boolean(row, column);
    }
  }

  string(row: { line: number; cells: string[] }, column: string): string {
    const value = this.cell(row, column);
    if (value === "") this.fail(row, column, "a non-empty value", value);
    return value;
  }

  text(row: { line: number; cells: string[] }, column: string): string {
    return this.cell(row, column);
  }

  number(row: { line: number; cells: string[] }, column: string): number {
    const value = this.cell(row, column);
    const n = value === "" ? Number.NaN : Number(value);
    if (!Number.isFinite(n)) this.fail(row, column, "a number", value);
    return n;
  }

  optionalNumber(row: { line: number; cells: string[] }, column: string): number | null {
    const value = this.cell(row, column);
    if (value === "") return null;
    const n = Number(value);
    if (!Number.isFinite(n)) this.fail(row, column, "a number or an empty cell", value);
    return n;
  }

  boolean(row: { line: number; cells: string[] }, column: string): boolean {
    const value = this.cell(row, column).toLowerCase();
    if (value === "1" || value === "true") return true;
    if (value === "0" || value === "false" || value === "") return false;
    return this.fail(row, column, "true/false or 1/0", value);
  }
}
