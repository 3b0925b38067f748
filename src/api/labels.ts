import { ApiError } from './errors.js';
import { isQualifiedName, isValidLabelValue } from './names.js';

/** upstream's selection.Operator values */
export type SelectorOperator = '=' | '==' | '!=' | 'in' | 'notin' | 'exists' | '!' | 'gt' | 'lt';

/** One requirement of a label selector: a key, an operator and (sorted, unique) values. */
export interface LabelRequirement {
  key: string;
  operator: SelectorOperator;
  values: string[];
}

/**
 * A parsed label selector: requirements sorted by key, all of which must hold. `nothing` marks
 * the selector that matches no object (a null metav1.LabelSelector).
 */
export interface LabelSelector {
  requirements: LabelRequirement[];
  nothing?: boolean;
}

/** The selector that matches every object. */
export function everything(): LabelSelector {
  return { requirements: [] };
}

/** The selector that matches no object. */
export function nothing(): LabelSelector {
  return { requirements: [], nothing: true };
}

/**
 * Checks a requirement as upstream's NewRequirement does; returns the failures in upstream's
 * `path: Invalid value: "x": why` form (path is `<nil>` for the parser, as upstream prints it).
 */
export function requirementErrors(key: string, operator: SelectorOperator, values: string[], path = '<nil>'): string[] {
  const errs: string[] = [];
  const prefix = path && path !== '<nil>' ? `${path}.` : '';
  const keyPath = `${prefix}key`;
  const valuesPath = `${prefix}values`;
  const keyErrs = isQualifiedName(key);
  if (keyErrs.length) errs.push(`${keyPath}: Invalid value: ${JSON.stringify(key)}: ${keyErrs.join('; ')}`);
  const list = JSON.stringify(values);
  switch (operator) {
    case 'in':
    case 'notin':
      if (values.length === 0) errs.push(`${valuesPath}: Invalid value: ${list}: for 'in', 'notin' operators, values set can't be empty`);
      break;
    case '=':
    case '==':
    case '!=':
      if (values.length !== 1) errs.push(`${valuesPath}: Invalid value: ${list}: exact-match compatibility requires one single value`);
      break;
    case 'exists':
    case '!':
      if (values.length !== 0) errs.push(`${valuesPath}: Invalid value: ${list}: values set must be empty for exists and does not exist`);
      break;
    case 'gt':
    case 'lt':
      if (values.length !== 1) errs.push(`${valuesPath}: Invalid value: ${list}: for 'Gt', 'Lt' operators, exactly one value is required`);
      values.forEach((v, i) => {
        if (!/^[-+]?\d+$/.test(v)) errs.push(`${valuesPath}[${i}]: Invalid value: ${JSON.stringify(v)}: for 'Gt', 'Lt' operators, the value must be an integer`);
      });
      break;
  }
  values.forEach((v, i) => {
    const msgs = isValidLabelValue(v);
    if (msgs.length) errs.push(`${valuesPath}[${i}][${key}]: Invalid value: ${JSON.stringify(v)}: ${msgs.join('; ')}`);
  });
  return errs;
}

type Tok = 'id' | 'end' | 'err' | '!' | '=' | '==' | '!=' | '(' | ')' | ',' | 'in' | 'notin' | '>' | '<';

const symbols = new Set(['=', '!', '(', ')', ',', '>', '<']);
const symbolTokens = new Set(['!', '=', '==', '!=', '(', ')', ',', '>', '<']);

function lex(s: string): Array<[Tok, string]> {
  const out: Array<[Tok, string]> = [];
  let pos = 0;
  const ws = (c: string) => c === ' ' || c === '\t' || c === '\r' || c === '\n';
  for (;;) {
    while (pos < s.length && ws(s[pos])) pos++;
    if (pos >= s.length) {
      out.push(['end', '']);
      return out;
    }
    if (symbols.has(s[pos])) {
      let buf = '';
      let last: string | undefined;
      while (pos < s.length && symbols.has(s[pos])) {
        buf += s[pos];
        if (symbolTokens.has(buf)) {
          last = buf;
          pos++;
        } else if (last !== undefined) {
          break;
        } else {
          pos++;
        }
      }
      out.push(last === undefined ? ['err', `error expected: keyword found '${buf}'`] : [last as Tok, last]);
      continue;
    }
    let id = '';
    while (pos < s.length && !symbols.has(s[pos]) && !ws(s[pos])) id += s[pos++];
    out.push(id === 'in' || id === 'notin' ? [id, id] : ['id', id]);
  }
}

class SelectorParser {
  private pos = 0;
  constructor(private readonly items: Array<[Tok, string]>) {}

  private look(values: boolean): [Tok, string] {
    return this.norm(this.items[this.pos], values);
  }

  private take(values: boolean): [Tok, string] {
    return this.norm(this.items[this.pos++], values);
  }

  private norm([tok, lit]: [Tok, string], values: boolean): [Tok, string] {
    return values && (tok === 'in' || tok === 'notin') ? ['id', lit] : [tok, lit];
  }

  parse(): LabelRequirement[] {
    const reqs: LabelRequirement[] = [];
    for (;;) {
      const [tok, lit] = this.look(true);
      if (tok === 'end') return reqs;
      if (tok !== 'id' && tok !== '!') throw new Error(`found '${lit}', expected: !, identifier, or 'end of string'`);
      let req: LabelRequirement;
      try {
        req = this.requirement();
      } catch (e) {
        throw new Error(`unable to parse requirement: ${(e as Error).message}`);
      }
      reqs.push(req);
      const [t, l] = this.take(true);
      if (t === 'end') return reqs;
      if (t !== ',') throw new Error(`found '${l}', expected: ',' or 'end of string'`);
      const [t2, l2] = this.look(true);
      if (t2 !== 'id' && t2 !== '!') throw new Error(`found '${l2}', expected: identifier after ','`);
    }
  }

  private requirement(): LabelRequirement {
    let op: SelectorOperator | undefined;
    let [tok, key] = this.take(true);
    if (tok === '!') {
      op = '!';
      [tok, key] = this.take(true);
    }
    if (tok !== 'id') throw new Error(`found '${key}', expected: identifier`);
    const keyErrs = isQualifiedName(key);
    if (keyErrs.length) throw new Error(`<nil>: Invalid value: ${JSON.stringify(key)}: ${keyErrs.join('; ')}`);
    const [next] = this.look(true);
    if (next === 'end' || next === ',') op = op ?? 'exists';
    if (op === 'exists' || op === '!') return this.make(key, op, []);
    const [otok, olit] = this.take(false);
    const ops: Partial<Record<Tok, SelectorOperator>> = { in: 'in', notin: 'notin', '=': '=', '==': '==', '!=': '!=', '>': 'gt', '<': 'lt' };
    const operator = ops[otok];
    if (!operator) throw new Error(`found '${olit}', expected: in, notin, =, ==, !=, gt, lt`);
    const values = operator === 'in' || operator === 'notin' ? this.setValues() : this.exactValue();
    return this.make(key, operator, [...new Set(values)].sort());
  }

  private make(key: string, operator: SelectorOperator, values: string[]): LabelRequirement {
    const errs = requirementErrors(key, operator, values);
    if (errs.length) throw new Error(errs.length === 1 ? errs[0] : `[${errs.join(', ')}]`);
    return { key, operator, values };
  }

  private setValues(): string[] {
    const [tok, lit] = this.take(true);
    if (tok !== '(') throw new Error(`found '${lit}' expected: '('`);
    const [t, l] = this.look(true);
    if (t === ')') {
      this.take(true);
      return [''];
    }
    if (t !== 'id' && t !== ',') throw new Error(`found '${l}', expected: ',', ')' or identifier`);
    const values = this.identifiers();
    if (this.take(true)[0] !== ')') throw new Error(`found '${l}', expected: ')'`);
    return values;
  }

  private identifiers(): string[] {
    const s: string[] = [];
    for (;;) {
      const [tok, lit] = this.take(true);
      if (tok === 'id') {
        s.push(lit);
        const [t2, l2] = this.look(true);
        if (t2 === ',') continue;
        if (t2 === ')') return s;
        throw new Error(`found '${l2}', expected: ',' or ')'`);
      } else if (tok === ',') {
        if (s.length === 0) s.push('');
        const [t2] = this.look(true);
        if (t2 === ')' || t2 === ',') s.push('');
        if (t2 === ')') return s;
      } else {
        throw new Error(`found '${lit}', expected: ',', or identifier`);
      }
    }
  }

  private exactValue(): string[] {
    const [t] = this.look(true);
    if (t === 'end' || t === ',') return [''];
    const [tok, lit] = this.take(true);
    if (tok === 'id') return [lit];
    throw new Error(`found '${lit}', expected: identifier`);
  }
}

/**
 * Parses the string form of a label selector (`a=b,c!=d,e in (x,y),f notin (z),g,!h`), as
 * upstream's labels.Parse. Throws an ApiError BadRequest with upstream's wording when invalid.
 */
export function parseLabelSelector(s: string): LabelSelector {
  try {
    const reqs = new SelectorParser(lex(s)).parse();
    return { requirements: reqs.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)) };
  } catch (e) {
    throw new ApiError('BadRequest', (e as Error).message);
  }
}

/** Whether one requirement holds for a label set. */
export function matchRequirement(r: LabelRequirement, labels: Record<string, string> | undefined): boolean {
  const has = labels !== undefined && Object.prototype.hasOwnProperty.call(labels, r.key);
  const value = has ? labels![r.key] : undefined;
  switch (r.operator) {
    case 'in':
    case '=':
    case '==':
      return has && r.values.includes(value!);
    case 'notin':
    case '!=':
      return !has || !r.values.includes(value!);
    case 'exists':
      return has;
    case '!':
      return !has;
    case 'gt':
    case 'lt': {
      if (!has || !/^[-+]?\d+$/.test(value!) || r.values.length !== 1) return false;
      const a = BigInt(value!);
      const b = BigInt(r.values[0]);
      return r.operator === 'gt' ? a > b : a < b;
    }
  }
}

/** Whether every requirement of the selector holds for the labels. */
export function matchLabelSelector(sel: LabelSelector, labels: Record<string, string> | undefined): boolean {
  if (sel.nothing) return false;
  return sel.requirements.every((r) => matchRequirement(r, labels));
}

/**
 * The single value a selector demands for `key` (`key=v`, `key==v` or `key in (v)`), for an
 * indexed lookup; undefined when the selector does not pin the key to one value.
 */
export function requiresExactMatch(sel: LabelSelector, key: string): string | undefined {
  for (const r of sel.requirements) {
    if (r.key === key && (r.operator === '=' || r.operator === '==' || r.operator === 'in') && r.values.length === 1) return r.values[0];
  }
  return undefined;
}

/** The canonical string form of a selector, as upstream's Selector.String(). */
export function labelSelectorString(sel: LabelSelector): string {
  return sel.requirements
    .map((r) => {
      switch (r.operator) {
        case 'exists':
          return r.key;
        case '!':
          return `!${r.key}`;
        case 'in':
        case 'notin':
          return `${r.key} ${r.operator} (${r.values.join(',')})`;
        case 'gt':
          return `${r.key}>${r.values[0]}`;
        case 'lt':
          return `${r.key}<${r.values[0]}`;
        default:
          return `${r.key}${r.operator}${r.values[0]}`;
      }
    })
    .join(',');
}

/** A selector demanding exactly the given labels (labels.SelectorFromSet); empty matches everything. */
export function selectorFromSet(set: Record<string, string> | undefined): LabelSelector {
  return {
    requirements: Object.keys(set ?? {})
      .sort()
      .map((key) => ({ key, operator: '=' as const, values: [set![key]] })),
  };
}
