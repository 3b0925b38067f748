/** Kubernetes resource quantities (`100m`, `1Gi`, `1e3`, `0.5`), as apimachinery's resource.Quantity. */

/** The three ways a quantity can be written, kept through canonicalisation. */
export type QuantityFormat = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

/** A parsed quantity: its value in nano-units (rounded up, as upstream) and its format. */
export interface Quantity {
  nanos: bigint;
  format: QuantityFormat;
}

const quantityRe = /^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$/;
/** upstream's ErrFormatWrong text */
export const quantityFormatError = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

const decimalSuffixes: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const binarySuffixes: Record<string, number> = { Ki: 1, Mi: 2, Gi: 3, Ti: 4, Pi: 5, Ei: 6 };
const decimalByExp = new Map(Object.entries(decimalSuffixes).map(([s, e]) => [e, s]));
const binaryByPow = new Map(Object.entries(binarySuffixes).map(([s, p]) => [p, s]));

const powersOfTen = Array.from({ length: 28 }, (_, n) => 10n ** BigInt(n));
const ten = (n: number): bigint => powersOfTen[n] ?? 10n ** BigInt(n);

function ceilDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a > 0n ? q + 1n : q;
}

/** Quantities repeat endlessly (`100m`, `64Mi`): parsed ones are remembered, up to a bound. */
const parsed = new Map<string, Readonly<Quantity>>();
const parsedLimit = 4096;

/** Parses a quantity; throws an Error with upstream's wording when it is not one. */
export function parseQuantityValue(s: string): Readonly<Quantity> {
  const known = parsed.get(s);
  if (known) return known;
  const quantity = Object.freeze(parseUncached(s));
  if (parsed.size >= parsedLimit) parsed.clear();
  parsed.set(s, quantity);
  return quantity;
}

function parseUncached(s: string): Quantity {
  if (typeof s !== 'string' || s.length === 0) throw new Error('quantities must match the regular expression');
  const m = quantityRe.exec(s.trim() === s ? s : '');
  if (!m) throw new Error(quantityFormatError);
  let [, num, suffix] = m;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)$/.test(num)) throw new Error(quantityFormatError);
  let format: QuantityFormat;
  let exp10 = 0;
  let pow1024 = 0;
  if (suffix in binarySuffixes) {
    format = 'BinarySI';
    pow1024 = binarySuffixes[suffix];
  } else if (suffix in decimalSuffixes) {
    format = 'DecimalSI';
    exp10 = decimalSuffixes[suffix];
  } else if (/^[eE][-+]?\d+$/.test(suffix)) {
    format = 'DecimalExponent';
    exp10 = Number(suffix.slice(1));
    if (!Number.isSafeInteger(exp10) || Math.abs(exp10) > 1000) throw new Error("unable to parse quantity's suffix");
  } else {
    throw new Error("unable to parse quantity's suffix");
  }
  const negative = num.startsWith('-');
  num = num.replace(/^[+-]/, '');
  const [whole, frac = ''] = num.split('.');
  let digits = BigInt(`${whole || '0'}${frac}`) * 1024n ** BigInt(pow1024);
  const scale = frac.length - exp10 - 9;
  const nanos = scale <= 0 ? digits * ten(-scale) : ceilDiv(digits, ten(scale));
  digits = negative ? -nanos : nanos;
  return { nanos: digits, format };
}

/** Whether a string is a valid quantity. */
export function isValidQuantity(s: unknown): boolean {
  if (typeof s === 'number') return Number.isFinite(s);
  if (typeof s !== 'string') return false;
  try {
    parseQuantityValue(s);
    return true;
  } catch {
    return false;
  }
}

/** A quantity's value in base units (cpu in cores, memory in bytes); numbers pass through. */
export function parseQuantity(s: string | number): number {
  if (typeof s === 'number') return s;
  const q = parseQuantityValue(s);
  const whole = q.nanos / 1_000_000_000n;
  const rest = q.nanos % 1_000_000_000n;
  return Number(whole) + Number(rest) / 1e9;
}

/** A quantity's value in milli-units, rounded up (cpu in millicores). */
export function quantityMilliValue(s: string | number): number {
  const nanos = typeof s === 'number' ? BigInt(Math.ceil(s * 1e9)) : parseQuantityValue(s).nanos;
  return Number(ceilDiv(nanos, 1_000_000n));
}

/** Compares two quantities: negative, zero or positive. */
export function compareQuantities(a: string | number, b: string | number): number {
  const na = typeof a === 'number' ? BigInt(Math.round(a * 1e9)) : parseQuantityValue(a).nanos;
  const nb = typeof b === 'number' ? BigInt(Math.round(b * 1e9)) : parseQuantityValue(b).nanos;
  return na < nb ? -1 : na > nb ? 1 : 0;
}

/**
 * The canonical form upstream serialises a quantity in (`1000m` → `1`, `1.5Gi` → `1536Mi`,
 * `0.5` → `500m`). With `roundUpToMilli`, values finer than 1m are rounded up first, as the
 * core/v1 defaulter does for container resources.
 */
export function canonicalQuantity(s: string | number, options: { roundUpToMilli?: boolean } = {}): string {
  if (typeof s !== 'string') return canonicalUncached(s, options);
  const memo = options.roundUpToMilli ? canonicalRounded : canonicalExact;
  let canonical = memo.get(s);
  if (canonical === undefined) {
    canonical = canonicalUncached(s, options);
    if (memo.size >= parsedLimit) memo.clear();
    memo.set(s, canonical);
  }
  return canonical;
}

/** Canonical forms already made, for quantities as written and rounded up to 1m (bounded like `parsed`). */
const canonicalExact = new Map<string, string>();
const canonicalRounded = new Map<string, string>();

function canonicalUncached(s: string | number, options: { roundUpToMilli?: boolean }): string {
  const q: Quantity = typeof s === 'number' ? { nanos: BigInt(Math.ceil(s * 1e9)), format: 'DecimalSI' } : { ...parseQuantityValue(s) };
  if (options.roundUpToMilli) q.nanos = ceilDiv(q.nanos, 1_000_000n) * 1_000_000n;
  return formatQuantity(q);
}

/** Formats a parsed quantity canonically. */
export function formatQuantity(q: Quantity): string {
  if (q.nanos === 0n) return '0';
  const sign = q.nanos < 0n ? '-' : '';
  const abs = q.nanos < 0n ? -q.nanos : q.nanos;
  if (q.format === 'BinarySI' && abs >= 1024n * 1_000_000_000n && abs % 1_000_000_000n === 0n) {
    const int = abs / 1_000_000_000n;
    for (let p = 6; p >= 1; p--) {
      const unit = 1024n ** BigInt(p);
      if (int % unit === 0n) return `${sign}${int / unit}${binaryByPow.get(p)}`;
    }
    return `${sign}${int}`;
  }
  for (let e = 18; e >= -9; e -= 3) {
    const unit = ten(e + 9);
    if (abs % unit === 0n) {
      const suffix = q.format === 'DecimalExponent' ? (e === 0 ? '' : `e${e}`) : decimalByExp.get(e);
      return `${sign}${abs / unit}${suffix}`;
    }
  }
  return `${sign}${abs}n`;
}
