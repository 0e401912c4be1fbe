import postgres from "postgres";
import { LOCKS } from "./client";

/** What the leader runs; `start` resolves with how to stop it. */
export interface LeaderDuties {
  start(): Promise<{ stop(): Promise<void> }>;
  onError?(err: unknown): void;
  onChange?(leading: boolean): void;
}

export interface Leadership {
  /** Resolves once the first attempt to lead is over, won or not. */
  settled: Promise<void>;
  isLeader(): boolean;
  /** Stops the duties (if leading) and ends the lock's connection, letting another lead. */
  stop(): Promise<void>;
}

/**
 * Leader election among every process on one database: the one holding a session advisory
 * lock on a connection of its own leads. The others ask every `retryMs`; a leader whose
 * process dies loses its session and so the lock, and the next asker takes over. A leader
 * that cannot reach its session any more stops its duties at once: PostgreSQL may already
 * have ended the session and handed the lock on.
 *
 * The connection must reach PostgreSQL's session directly (or through PgBouncer in session
 * mode): in transaction mode a session lock outlives nothing.
 */
export function electLeader(
  url: string,
  duties: LeaderDuties,
  opts: { retryMs?: number } = {},
): Leadership {
  const retryMs = opts.retryMs ?? 1_000;
  let sql: postgres.Sql | undefined;
  let running: { stop(): Promise<void> } | undefined;
  /** The backend that holds the lock: the driver reconnects quietly, to a session without it. */
  let holder: number | undefined;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let turn: Promise<void> = Promise.resolve();

  const connect = () => {
    sql ??= postgres(url, {
      max: 1,
      idle_timeout: 0,
      max_lifetime: null,
      connection: { application_name: "caravan-leader" },
      onnotice: () => {},
    });
    return sql;
  };
  const resign = async () => {
    const was = running;
    running = undefined;
    if (!was) return;
    duties.onChange?.(false);
    await was.stop().catch((err) => duties.onError?.(err));
  };
  const lose = async (err: unknown) => {
    duties.onError?.(err);
    await resign();
    // A fresh connection next turn; the old session, if still alive, ends with it.
    const old = sql;
    sql = undefined;
    await old?.end({ timeout: 1 }).catch(() => {});
  };
  const step = async () => {
    if (stopped) return;
    const client = connect();
    try {
      if (running) {
        const [session] = await client<{ pid: number }[]>`select pg_backend_pid() as pid`;
        if (session?.pid !== holder) throw new Error("the leader lock's session ended");
        return;
      }
      const [row] = await client<{ ok: boolean; pid: number }[]>`
        select pg_try_advisory_lock(${LOCKS.leader}) as ok, pg_backend_pid() as pid`;
      if (!row?.ok || stopped) return;
      holder = row.pid;
      running = await duties.start();
      duties.onChange?.(true);
    } catch (err) {
      await lose(err);
    }
  };
  const tick = () => {
    turn = turn.then(step);
    return turn;
  };
  const settled = tick();
  timer = setInterval(() => void tick(), retryMs);
  timer.unref();

  return {
    settled,
    isLeader: () => running !== undefined,
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      timer = undefined;
      await turn;
      await resign();
      await sql?.end({ timeout: 5 }).catch(() => {});
      sql = undefined;
    },
  };
}
