/** A parsed five-field cron schedule (robfig/cron's standard parser, as the CronJob API uses). */
export interface CronSchedule {
  minutes: Set<number>;
  hours: Set<number>;
  daysOfMonth: Set<number>;
  months: Set<number>;
  daysOfWeek: Set<number>;
  /** whether day-of-month or day-of-week was `*`/`?` (cron ORs the two when both are restricted) */
  domStar: boolean;
  dowStar: boolean;
}

interface Bounds {
  min: number;
  max: number;
  names?: Record<string, number>;
}

const months: Bounds = { min: 1, max: 12, names: { jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12 } };
const dows: Bounds = { min: 0, max: 6, names: { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 } };
const fieldBounds: Bounds[] = [{ min: 0, max: 59 }, { min: 0, max: 23 }, { min: 1, max: 31 }, months, dows];

const descriptors: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

function parseInt10(s: string): number {
  if (!/^[0-9]+$/.test(s)) throw new Error(`failed to parse int from ${s}: strconv.Atoi: parsing ${JSON.stringify(s)}: invalid syntax`);
  return Number(s);
}

function value(s: string, b: Bounds): number {
  const named = b.names?.[s.toLowerCase()];
  return named !== undefined ? named : parseInt10(s);
}

function parseField(field: string, b: Bounds): { set: Set<number>; star: boolean } {
  const set = new Set<number>();
  let star = false;
  for (const expr of field.split(',')) {
    const [range, stepText, ...extra] = expr.split('/');
    if (extra.length) throw new Error(`too many slashes: ${expr}`);
    let lo: number;
    let hi: number;
    const parts = range.split('-');
    if (range === '*' || range === '?') {
      lo = b.min;
      hi = b.max;
      if (stepText === undefined) star = true;
    } else if (parts.length <= 2) {
      lo = value(parts[0], b);
      hi = parts.length === 2 ? value(parts[1], b) : lo;
    } else {
      throw new Error(`too many hyphens: ${expr}`);
    }
    let step = 1;
    if (stepText !== undefined) {
      step = parseInt10(stepText);
      if (parts.length === 1 && range !== '*' && range !== '?') hi = b.max;
      if (step === 0) throw new Error(`step of range should be a positive number: ${expr}`);
    }
    if (lo < b.min) throw new Error(`beginning of range (${lo}) below minimum (${b.min}): ${expr}`);
    if (hi > b.max) throw new Error(`end of range (${hi}) above maximum (${b.max}): ${expr}`);
    if (lo > hi) throw new Error(`beginning of range (${lo}) beyond end of range (${hi}): ${expr}`);
    for (let v = lo; v <= hi; v += step) set.add(v);
  }
  return { set, star };
}

/** Parses a cron schedule; throws an Error worded as robfig/cron's parser. */
export function parseCronSchedule(spec: string): CronSchedule {
  let s = spec.trim();
  if (s.length === 0) throw new Error('empty spec string');
  if (s.startsWith('TZ=') || s.startsWith('CRON_TZ=')) s = s.slice(s.indexOf(' ') + 1).trim();
  if (s.startsWith('@')) {
    if (s.startsWith('@every')) throw new Error('@every schedules are not supported here');
    const d = descriptors[s];
    if (!d) throw new Error(`unrecognized descriptor: ${s}`);
    s = d;
  }
  const fields = s.split(/\s+/);
  if (fields.length !== 5) throw new Error(`expected exactly 5 fields, found ${fields.length}: [${fields.join(' ')}]`);
  const parsed = fields.map((f, i) => parseField(f, fieldBounds[i]));
  return {
    minutes: parsed[0].set,
    hours: parsed[1].set,
    daysOfMonth: parsed[2].set,
    months: parsed[3].set,
    daysOfWeek: parsed[4].set,
    domStar: parsed[2].star,
    dowStar: parsed[4].star,
  };
}

function dayMatches(s: CronSchedule, d: Date): boolean {
  const dom = s.daysOfMonth.has(d.getUTCDate());
  const dow = s.daysOfWeek.has(d.getUTCDay());
  if (s.domStar || s.dowStar) return dom && dow;
  return dom || dow;
}

/** The first time strictly after `after` (UTC, whole minutes) that the schedule fires, or undefined within five years. */
export function nextCronTime(s: CronSchedule, after: Date): Date | undefined {
  const t = new Date(Math.floor(after.getTime() / 60000) * 60000 + 60000);
  const limit = after.getTime() + 5 * 366 * 24 * 3600 * 1000;
  while (t.getTime() <= limit) {
    if (!s.months.has(t.getUTCMonth() + 1)) {
      t.setUTCMonth(t.getUTCMonth() + 1, 1);
      t.setUTCHours(0, 0, 0, 0);
    } else if (!dayMatches(s, t)) {
      t.setUTCDate(t.getUTCDate() + 1);
      t.setUTCHours(0, 0, 0, 0);
    } else if (!s.hours.has(t.getUTCHours())) {
      t.setUTCHours(t.getUTCHours() + 1, 0, 0, 0);
    } else if (!s.minutes.has(t.getUTCMinutes())) {
      t.setUTCMinutes(t.getUTCMinutes() + 1, 0, 0);
    } else {
      return t;
    }
  }
  return undefined;
}
