/**
 * Checks that text is one JSON value (RFC 8259) without building it: no number is ever converted, so a 64-bit id
 * cannot be rounded by the check. Returns the first problem with its position, or undefined when the text is valid.
 */
const MAX_DEPTH = 512;
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const HEX4 = /[0-9a-fA-F]{4}/y;

export interface JsonProblem {
  message: string;
  position: number;
}

export interface JsonCheckOptions {
  /** The value must be an object. */
  topLevelObject?: boolean;
  /** Filled with the top-level object's scalar members: key → the value's source text (`123`, `"a\"b"`, `null`). */
  members?: Map<string, string>;
}

export function checkJsonStructure(text: string, opts: JsonCheckOptions = {}): JsonProblem | undefined {
  let i = 0;
  const n = text.length;
  class Stop extends Error {}
  let problem: JsonProblem | undefined;
  const fail = (message: string): never => {
    problem = { message, position: i };
    throw new Stop(message);
  };
  const ws = (): void => {
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) i++;
      else break;
    }
  };
  const str = (): void => {
    i++; // opening quote
    for (;;) {
      if (i >= n) return fail('unterminated string');
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        i++;
        return;
      }
      if (c < 0x20) return fail('control character in string');
      if (c === 0x5c) {
        const e = text[i + 1];
        if (e === 'u') {
          HEX4.lastIndex = i + 2;
          if (!HEX4.test(text)) return fail('bad \\u escape');
          i += 6;
          continue;
        }
        if (e === undefined || !'"\\/bfnrt'.includes(e)) return fail('bad escape');
        i += 2;
        continue;
      }
      i++;
    }
  };
  const value = (depth: number): void => {
    ws();
    if (i >= n) return fail('unexpected end of input');
    const c = text[i];
    if (c === '{' || c === '[') {
      if (depth >= MAX_DEPTH) return fail(`nested deeper than ${MAX_DEPTH}`);
      const close = c === '{' ? '}' : ']';
      i++;
      ws();
      if (text[i] === close) {
        i++;
        return;
      }
      for (;;) {
        let key: [number, number] | undefined;
        if (c === '{') {
          ws();
          if (text[i] !== '"') return fail('expected a string key');
          const keyStart = i;
          str();
          key = [keyStart, i];
          ws();
          if (text[i] !== ':') return fail("expected ':'");
          i++;
        }
        ws();
        const valueStart = i;
        value(depth + 1);
        if (key && depth === 0 && opts.members && text[valueStart] !== '{' && text[valueStart] !== '[') {
          opts.members.set(JSON.parse(text.slice(key[0], key[1])) as string, text.slice(valueStart, i));
        }
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === close) {
          i++;
          return;
        }
        return fail(`expected ',' or '${close}'`);
      }
    }
    if (c === '"') return str();
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) {
      NUMBER.lastIndex = i;
      const m = NUMBER.exec(text);
      if (!m) return fail('bad number');
      i += m[0].length;
      return;
    }
    for (const lit of ['true', 'false', 'null']) {
      if (text.startsWith(lit, i)) {
        i += lit.length;
        return;
      }
    }
    return fail(`unexpected character ${JSON.stringify(c)}`);
  };
  try {
    ws();
    if (opts.topLevelObject && text[i] !== '{') fail('expected a JSON object');
    value(0);
    ws();
    if (i < n) fail('unexpected data after the JSON value');
  } catch (err) {
    if (err instanceof Stop) return problem;
    throw err;
  }
  return undefined;
}
