/** PostgreSQL COPY text format: tab-separated, `\N` for null, backslash escapes. */

const SPECIAL = /[\\\t\n\r]/;

/** A value as a COPY text field. */
export function field(value: string | null): string {
  if (value === null) return "\\N";
  if (!SPECIAL.test(value)) return value;
  return value.replace(/[\\\t\n\r]/g, (c) =>
    c === "\\" ? "\\\\" : c === "\t" ? "\\t" : c === "\n" ? "\\n" : "\\r",
  );
}

const NON_ASCII = /[^ -~\t\n\r]/g;

/**
 * JSON as a COPY field, non-ASCII characters written as JSON escapes (jsonb reads them back
 * as the same characters): text that stays one byte per character encodes several times faster.
 */
export function jsonField(json: string): string {
  return field(json).replace(
    NON_ASCII,
    (c) => `\\\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

const DAY_MS = 86_400_000;
let cachedDay = Number.NaN;
let cachedPrefix = "";

const pad2 = (n: number) => (n < 10 ? `0${n}` : `${n}`);
const pad3 = (n: number) => (n < 10 ? `00${n}` : n < 100 ? `0${n}` : `${n}`);

/**
 * `Date#toISOString` of whole milliseconds, with the date part kept while the day is the same:
 * a run formats tens of millions of instants, most of them on the day of the one before.
 */
export function iso(ms: number): string {
  const t = Math.floor(ms);
  const day = Math.floor(t / DAY_MS);
  if (day !== cachedDay) {
    cachedDay = day;
    cachedPrefix = new Date(day * DAY_MS).toISOString().slice(0, 11);
  }
  let r = t - day * DAY_MS;
  const h = Math.floor(r / 3_600_000);
  r -= h * 3_600_000;
  const m = Math.floor(r / 60_000);
  r -= m * 60_000;
  const s = Math.floor(r / 1000);
  return `${cachedPrefix}${pad2(h)}:${pad2(m)}:${pad2(s)}.${pad3(r - s * 1000)}Z`;
}

/** A text[] literal of simple words (ids): no quoting needed. */
export const textArray = (items: readonly string[]) => `{${items.join(",")}}`;

const CHUNK = 4 << 20;
const LINES_PER_WRITE = 512;

/**
 * COPY text accumulated in large buffers outside the JavaScript heap: appending millions of
 * lines to one string builds ropes the garbage collector spends most of its time walking.
 * Lines must be ASCII (JSON goes through `jsonField`): they are written byte for byte as
 * Latin-1, several times faster than UTF-8 over strings built of many pieces.
 */
export class TextSink {
  private readonly full: Buffer[] = [];
  private buf = Buffer.allocUnsafe(CHUNK);
  private used = 0;
  private pending: string[] = [];

  line(s: string): void {
    this.pending.push(s);
    if (this.pending.length >= LINES_PER_WRITE) this.flush();
  }

  private flush(): void {
    const s = this.pending.join("");
    this.pending = [];
    if (this.used + s.length > this.buf.length) {
      this.full.push(this.buf.subarray(0, this.used));
      this.buf = Buffer.allocUnsafe(Math.max(CHUNK, s.length));
      this.used = 0;
    }
    this.used += this.buf.write(s, this.used, "latin1");
  }

  /** The text so far, in chunks; the sink is empty afterwards. */
  take(): Buffer[] {
    this.flush();
    const out = [...this.full, this.buf.subarray(0, this.used)].filter((b) => b.length > 0);
    this.full.length = 0;
    this.buf = Buffer.allocUnsafe(CHUNK);
    this.used = 0;
    return out;
  }
}
