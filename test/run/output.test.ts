import { stringify } from "csv-stringify/sync";
import { describe, expect, it } from "vitest";
import { CSV_BATCH_ROWS, csvFile } from "../../sim/run/output.ts";

describe("csvFile", () => {
  const columns = ["name", "value", "flag", "missing"];
  const row = (i: number) => ({ name: `p${i}`, value: i / 7, flag: i % 3 === 0, missing: null });

  it("csvFile writes batch by batch exactly the text of one stringify call over every row", () => {
    // Two and a half batches: the header comes once, and no row is lost or repeated at a seam.
    const count = Math.floor(2.5 * CSV_BATCH_ROWS);
    const rows = Array.from({ length: count }, (_, i) => row(i));
    const whole = stringify(
      rows.map((r) => columns.map((c) => r[c as keyof typeof r])),
      { header: true, columns, cast: { boolean: (flag) => (flag ? "1" : "0") } },
    );
    const text = csvFile(columns, rows);
    expect(text).toBe(whole);
    expect(text.split("\n").length).toBe(count + 2); // header, rows, the final newline
  });

  it("csvFile takes rows from a generator, and writes the header alone when there are none", () => {
    function* two() {
      yield row(1);
      yield row(3);
    }
    expect(csvFile(columns, two())).toBe(
      "name,value,flag,missing\np1,0.14285714285714285,0,\np3,0.42857142857142855,1,\n",
    );
    expect(csvFile(columns, [])).toBe("name,value,flag,missing\n");
  });
});
