/**
 * Finds the `sim` command lines of a Markdown document (README.md): every `npx sim ...` and
 * `node ... bin/sim.js ...` in a fenced code block or an inline code span, split into the words a
 * POSIX shell would pass. Only the shell syntax the README uses is understood (single and double
 * quotes, `#` comments, `&&` before or after the command); anything else (pipes, redirections,
 * variables, command substitution) is an error, so that a new README line the test cannot run
 * as written fails the test instead of being run wrongly or skipped.
 */

/** One `sim` command of the document. */
export interface ReadmeCommand {
  /** 1-based line of the document where the command is. */
  line: number;
  /** The command as written, from `npx sim` (or `node`) to its end, without a trailing comment. */
  text: string;
  /** The arguments `sim` receives (after `npx sim` or `bin/sim.js`). */
  argv: string[];
}

/** A shell word, or an operator that ends a command (`&&`, `||`, `;`). */
type Token = { word: string } | { operator: string };

/** Splits one line into shell words and operators; throws on syntax it does not understand. */
export function shellWords(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === " " || c === "\t") {
      i++;
      continue;
    }
    if (c === "#") break; // a comment: `#` at the start of a word
    if (text.startsWith("&&", i) || text.startsWith("||", i)) {
      tokens.push({ operator: text.slice(i, i + 2) });
      i += 2;
      continue;
    }
    if (c === ";") {
      tokens.push({ operator: ";" });
      i++;
      continue;
    }
    let word = "";
    while (i < text.length && text[i] !== " " && text[i] !== "\t") {
      const d = text[i];
      if (d === "'") {
        const end = text.indexOf("'", i + 1);
        if (end < 0) throw new Error(`unterminated quote in: ${text}`);
        word += text.slice(i + 1, end);
        i = end + 1;
      } else if (d === '"') {
        const end = text.indexOf('"', i + 1);
        if (end < 0) throw new Error(`unterminated quote in: ${text}`);
        const inner = text.slice(i + 1, end);
        if (/[$`\\]/.test(inner)) throw new Error(`expansion inside double quotes in: ${text}`);
        word += inner;
        i = end + 1;
      } else if (/[|&;<>()$`\\]/.test(d)) {
        throw new Error(`shell syntax '${d}' the README test does not run, in: ${text}`);
      } else {
        word += d;
        i++;
      }
    }
    tokens.push({ word });
  }
  return tokens;
}

/** Where `sim`'s own arguments start in `words`, or -1 when they are not a `sim` command. */
function simStart(words: string[]): number {
  if (words[0] === "npx" && words[1] === "sim") return 2;
  if (words[0] === "node") {
    // node [node options] path/to/bin/sim.js ...
    const script = words.findIndex((w, k) => k > 0 && !w.startsWith("-"));
    if (script > 0 && /(^|\/)bin\/sim\.js$/.test(words[script])) return script + 1;
  }
  return -1;
}

/** The `sim` commands on one line of text (a code line or an inline code span). */
function commandsIn(text: string, line: number): ReadmeCommand[] {
  if (!/\bnpx sim\b|\bnode\b.*\bbin\/sim\.js\b/.test(text)) return [];
  // A YAML step such as `run: npx sim check ...` holds the command after the key.
  const shell = text.replace(/^\s*(-\s+)?[A-Za-z_-]+:\s+(?=npx |node )/, "");
  const tokens = shellWords(shell);
  const found: ReadmeCommand[] = [];
  let start = 0;
  for (let k = 0; k <= tokens.length; k++) {
    if (k < tokens.length && !("operator" in tokens[k])) continue;
    const words = tokens.slice(start, k).map((t) => (t as { word: string }).word);
    const at = simStart(words);
    if (at >= 0) found.push({ line, text: words.join(" "), argv: words.slice(at) });
    start = k + 1;
  }
  if (found.length === 0) throw new Error(`line ${line}: a sim command not understood: ${text}`);
  return found;
}

/** Every `sim` command of `markdown`, in document order. */
export function readmeCommands(markdown: string): ReadmeCommand[] {
  const commands: ReadmeCommand[] = [];
  let fenced = false;
  for (const [index, raw] of markdown.split("\n").entries()) {
    const line = index + 1;
    if (/^\s*```/.test(raw)) {
      fenced = !fenced;
      continue;
    }
    if (fenced) {
      commands.push(...commandsIn(raw, line));
      continue;
    }
    for (const span of raw.matchAll(/`([^`]+)`/g)) commands.push(...commandsIn(span[1], line));
  }
  return commands;
}
