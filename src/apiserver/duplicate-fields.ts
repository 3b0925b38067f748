/**
 * The paths of the keys that occur twice in one JSON object of `text`
 * (`spec.containers[0].image`, as upstream's strict decoder names them). The text must be valid
 * JSON (it is parsed elsewhere first); scanning stops quietly at anything unexpected.
 */
export function findDuplicateFields(text: string): string[] {
  const found: string[] = [];
  let i = 0;
  const ws = () => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\n' || text[i] === '\r' || text[i] === '\t')) i++;
  };
  const readString = (): string => {
    const start = i;
    i++;
    while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const value = (path: string): void => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const seen = new Set<string>();
      ws();
      if (text[i] === '}') {
        i++;
        return;
      }
      while (i < text.length) {
        ws();
        if (text[i] !== '"') return;
        const key = readString();
        const child = path ? `${path}.${key}` : key;
        if (seen.has(key)) found.push(child);
        seen.add(key);
        ws();
        if (text[i] !== ':') return;
        i++;
        value(child);
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === '}') {
          i++;
          return;
        } else return;
      }
    } else if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') {
        i++;
        return;
      }
      for (let n = 0; i < text.length; n++) {
        value(`${path}[${n}]`);
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === ']') {
          i++;
          return;
        } else return;
      }
    } else if (c === '"') {
      readString();
    } else {
      while (i < text.length && !',}] \n\r\t'.includes(text[i])) i++;
    }
  };
  try {
    value('');
  } catch {
    return found;
  }
  return found;
}
