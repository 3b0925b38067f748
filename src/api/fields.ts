import { ApiError } from './errors.js';

/** One term of a field selector: `field=value` (or `==`) and `field!=value`. */
export interface FieldRequirement {
  field: string;
  operator: '=' | '!=';
  value: string;
}

/** A parsed field selector: all terms must hold; no terms matches everything. */
export interface FieldSelector {
  requirements: FieldRequirement[];
}

function splitTerms(s: string): string[] {
  if (s === '') return [];
  const terms: string[] = [];
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '\\') i++;
    else if (s[i] === ',') {
      terms.push(s.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(s.slice(start));
  return terms;
}

function splitTerm(term: string): [string, string, string] | undefined {
  for (let i = 0; i < term.length; i++) {
    for (const op of ['!=', '==', '=']) {
      if (term.startsWith(op, i)) return [term.slice(0, i), op, term.slice(i + op.length)];
    }
  }
  return undefined;
}

/** Undoes a field selector value's escaping (`\\`, `\,`, `\=`), as upstream's UnescapeValue. */
export function unescapeFieldValue(s: string): string {
  if (!/[\\,=]/.test(s)) return s;
  let out = '';
  let inSlash = false;
  for (const c of s) {
    if (inSlash) {
      if (c !== '\\' && c !== ',' && c !== '=') throw new Error(`invalid field selector: invalid escape sequence: \\${c}`);
      out += c;
      inSlash = false;
    } else if (c === '\\') {
      inSlash = true;
    } else if (c === ',' || c === '=') {
      throw new Error(`invalid field selector: unescaped character in value: ${c.codePointAt(0)}`);
    } else {
      out += c;
    }
  }
  if (inSlash) throw new Error('invalid field selector: invalid escape sequence: \\');
  return out;
}

/** Escapes `\`, `,` and `=` in a field selector value. */
export function escapeFieldValue(s: string): string {
  return s.replace(/[\\,=]/g, (c) => `\\${c}`);
}

/**
 * Parses a field selector (`metadata.name=x,spec.nodeName!=`), as upstream's
 * fields.ParseSelector. Throws an ApiError BadRequest with upstream's wording when invalid.
 */
export function parseFieldSelector(s: string): FieldSelector {
  const requirements: FieldRequirement[] = [];
  for (const part of splitTerms(s).sort()) {
    if (part === '') continue;
    const split = splitTerm(part);
    if (!split) throw new ApiError('BadRequest', `invalid selector: '${s}'; can't understand '${part}'`);
    const [field, op, raw] = split;
    let value: string;
    try {
      value = unescapeFieldValue(raw);
    } catch (e) {
      throw new ApiError('BadRequest', (e as Error).message);
    }
    requirements.push({ field, operator: op === '!=' ? '!=' : '=', value });
  }
  return { requirements };
}

/** Whether every term holds; `get` answers a field's value for the object (undefined: empty). */
export function matchFieldSelector(sel: FieldSelector, get: (field: string) => string | undefined): boolean {
  return sel.requirements.every((r) => {
    const v = get(r.field) ?? '';
    return r.operator === '=' ? v === r.value : v !== r.value;
  });
}

/** The single value a field selector demands for `field`, for an indexed lookup. */
export function fieldRequiresExactMatch(sel: FieldSelector, field: string): string | undefined {
  return sel.requirements.find((r) => r.field === field && r.operator === '=')?.value;
}

/** The string form of a field selector, as upstream's Selector.String(). */
export function fieldSelectorString(sel: FieldSelector): string {
  return sel.requirements.map((r) => `${r.field}${r.operator}${escapeFieldValue(r.value)}`).join(',');
}

/** The fields every kind supports. */
export const defaultSelectableFields = ['metadata.name', 'metadata.namespace'];

/**
 * Throws ApiError BadRequest for the first field the kind does not support. Kinds that only
 * support metadata.name and metadata.namespace get upstream's DefaultMetaV1FieldSelectorConversion
 * wording; kinds with their own list get `field label not supported: <field>`.
 */
export function checkFieldSelectorFields(sel: FieldSelector, supported: readonly string[] = defaultSelectableFields): void {
  const onlyDefaults = supported.length === 2 && supported.includes('metadata.name') && supported.includes('metadata.namespace');
  for (const r of sel.requirements) {
    if (supported.includes(r.field)) continue;
    if (onlyDefaults) {
      throw new ApiError('BadRequest', `${JSON.stringify(r.field)} is not a known field selector: only "metadata.name", "metadata.namespace"`);
    }
    throw new ApiError('BadRequest', `field label not supported: ${r.field}`);
  }
}
