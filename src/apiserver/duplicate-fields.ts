const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/**
 * The paths of the keys that occur twice in one JSON object of `text`
 * (`spec.containers[0].image`, as upstream's strict decoder names them). The text must be valid
 * JSON (it is parsed elsewhere first); scanning stops quietly at anything unexpected.
 */
export function findDuplicateFields(text: string): string[] {
  const found: string[] = [];
  const length = text.length;
  /** the path to the value being scanned: keys (strings) and list indexes (numbers) */
  const path: (string | number)[] = [];
  let i = 0;
  const ws = (): void => {
    while (i < length && isSpace(text.charCodeAt(i))) i++;
  };
  const readString = (): string => {
    const start = i;
    let escaped = false;
    i++;
    while (i < length) {
      const c = text.charCodeAt(i);
      if (c === QUOTE) break;
      if (c === BACKSLASH) {
        escaped = true;
        i += 2;
      } else i++;
    }
    i++;
    return escaped ? (JSON.parse(text.slice(start, i)) as string) : text.slice(start + 1, i - 1);
  };
  const pathString = (): string => {
    let out = '';
    for (const segment of path) out = typeof segment === 'number' ? `${out}[${segment}]` : out ? `${out}.${segment}` : segment;
    return out;
  };
  const value = (): void => {
    ws();
    const c = text.charCodeAt(i);
    if (c === OPEN_BRACE) {
      i++;
      ws();
      if (text.charCodeAt(i) === CLOSE_BRACE) {
        i++;
        return;
      }
      const seen = new Set<string>();
      while (i < length) {
        ws();
        if (text.charCodeAt(i) !== QUOTE) return;
        const key = readString();
        path.push(key);
        if (seen.has(key)) found.push(pathString());
        else seen.add(key);
        ws();
        if (text.charCodeAt(i) !== COLON) {
          path.pop();
          return;
        }
        i++;
        value();
        path.pop();
        ws();
        const next = text.charCodeAt(i);
        if (next === COMMA) i++;
        else if (next === CLOSE_BRACE) {
          i++;
          return;
        } else return;
      }
    } else if (c === OPEN_BRACKET) {
      i++;
      ws();
      if (text.charCodeAt(i) === CLOSE_BRACKET) {
        i++;
        return;
      }
      for (let n = 0; i < length; n++) {
        path.push(n);
        value();
        path.pop();
        ws();
        const next = text.charCodeAt(i);
        if (next === COMMA) i++;
        else if (next === CLOSE_BRACKET) {
          i++;
          return;
        } else return;
      }
    } else if (c === QUOTE) {
      readString();
    } else {
      while (i < length) {
        const d = text.charCodeAt(i);
        if (d === COMMA || d === CLOSE_BRACE || d === CLOSE_BRACKET || isSpace(d)) break;
        i++;
      }
    }
  };
  try {
    value();
  } catch {
    return found;
  }
  return found;
}
