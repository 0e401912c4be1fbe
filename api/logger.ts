import pino, { type DestinationStream, type Logger, type LoggerOptions } from "pino";

/** Properties by which database drivers carry a failed query's bound values. */
const PARAMETERS = new Set(["parameters", "params", "args"]);

/**
 * drizzle puts the values into its message (`Failed query: …\nparams: a,b`), PostgreSQL's
 * `detail` quotes them (`Key (hash)=(…) already exists`) and its data errors end their
 * message with the offending value (`invalid input syntax for type integer: "…"`).
 */
function scrubText(text: string): string {
  return text
    .replace(/\nparams: [\s\S]*?(?=\n {4}at |$)/, "\nparams: [redacted]")
    .replace(/\)=\([\s\S]*?\)(?= |$|\.)/g, ")=([redacted])")
    .replace(/^([^\n]*?: )"[^\n]*"(?=\n|$)/, "$1[redacted]");
}

function scrub(value: unknown, seen: Set<object>): unknown {
  if (typeof value === "string") return scrubText(value);
  if (typeof value !== "object" || value === null || seen.has(value)) return value;
  seen.add(value);
  if (Array.isArray(value)) return value.map((v) => scrub(v, seen));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = PARAMETERS.has(k) ? "[redacted]" : scrub(v, seen);
  }
  return out;
}

/**
 * Errors as pino writes them, less the values bound to a failed query (key hashes, names,
 * phone numbers): the statement text stays, so the failure can still be found.
 */
function serializeError(err: unknown): unknown {
  return scrub(pino.stdSerializers.errWithCause(err as Error), new Set());
}

/** The node's logger: every `err` it writes goes through `serializeError`. */
export function newLogger(options: LoggerOptions = {}, destination?: DestinationStream): Logger {
  const opts: LoggerOptions = {
    ...options,
    serializers: { ...options.serializers, err: serializeError },
  };
  return destination ? pino(opts, destination) : pino(opts);
}
