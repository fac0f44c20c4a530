/*
 * A tiny deterministic SVG/XML string builder. Numbers are rounded to 2 decimals, attributes
 * keep the order given, and a non-finite number throws instead of writing "NaN" into a figure.
 */

/** Attribute values; null, undefined and false leave the attribute out. */
export type AttrValue = string | number | null | undefined | false;
export type Attrs = Record<string, AttrValue>;

/** Rounds to 2 decimals and prints without "-0" or exponent noise. */
export function num(value: number): string {
  if (!Number.isFinite(value)) throw new Error(`non-finite number in SVG output: ${value}`);
  const rounded = Math.round(value * 100) / 100;
  return String(rounded === 0 ? 0 : rounded);
}

export function escapeText(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

export function escapeAttr(text: string): string {
  return escapeText(text).replace(/"/g, "&quot;").replace(/\n/g, "&#10;");
}

function attrs(a: Attrs): string {
  let out = "";
  for (const [key, value] of Object.entries(a)) {
    if (value === null || value === undefined || value === false) continue;
    out += ` ${key}="${typeof value === "number" ? num(value) : escapeAttr(value)}"`;
  }
  return out;
}

/** Text content for {@link el}: escaped, marked so it is not put on its own line. */
export interface Text {
  text: string;
}

export function txt(text: string): Text {
  return { text: escapeText(text) };
}

export type Child = string | Text | null | undefined | false | Child[];

function flatten(children: Child[], out: (string | Text)[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) flatten(child, out);
    else out.push(child);
  }
}

/**
 * An element. Element children go on their own lines (readable diffs of snapshots), text
 * children stay inline.
 */
export function el(tag: string, a: Attrs = {}, ...children: Child[]): string {
  const parts: (string | Text)[] = [];
  flatten(children, parts);
  if (parts.length === 0) return `<${tag}${attrs(a)}/>`;
  const onlyText = parts.every((p) => typeof p !== "string");
  const inner = parts.map((p) => (typeof p === "string" ? p : p.text));
  return onlyText
    ? `<${tag}${attrs(a)}>${inner.join("")}</${tag}>`
    : `<${tag}${attrs(a)}>\n${inner.join("\n")}\n</${tag}>`;
}

/** A `<title>` element: shown as a tooltip by browsers, and by the report's hover script. */
export function tip(text: string): string {
  return el("title", {}, txt(text));
}

/** `translate(x,y)` with rounded numbers. */
export function translate(x: number, y: number): string {
  return `translate(${num(x)},${num(y)})`;
}

/** A rough width of a text in pixels for layout (no font metrics without a browser). */
export function textWidth(text: string, fontSize: number): number {
  let units = 0;
  for (const ch of text) {
    if ("ijlt.,:;|!'()[] f".includes(ch)) units += 0.3;
    else if ("mwMW@%".includes(ch)) units += 0.85;
    else if (ch >= "A" && ch <= "Z") units += 0.68;
    else units += 0.53;
  }
  return units * fontSize;
}

/** Shortens a text to fit a width, ending with an ellipsis when cut. */
export function fitText(text: string, fontSize: number, width: number): string {
  if (textWidth(text, fontSize) <= width) return text;
  let cut = text;
  while (cut.length > 1 && textWidth(`${cut}…`, fontSize) > width) cut = cut.slice(0, -1);
  return `${cut}…`;
}
