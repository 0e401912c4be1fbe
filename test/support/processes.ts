import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { onTestFinished } from "vitest";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

export interface NodeProcess {
  child: ChildProcess;
  /** The API's base URL, as the node printed it. */
  url: string;
  /** Everything it wrote so far, stdout and stderr together. */
  output(): string;
  /** Resolves when the process has ended. */
  exited: Promise<unknown>;
  /** SIGTERM, then waits for the end (SIGKILL after 20 s). */
  stop(): Promise<void>;
}

/**
 * `api/server.ts` as its own process with `env` over the test's environment, once it prints
 * that it serves; stopped when the test finishes.
 */
export async function startNodeProcess(env: Record<string, string>): Promise<NodeProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", "api/server.ts"], {
    cwd: ROOT,
    env: { ...process.env, REDIS_URL: "", PORT: "0", LOG_LEVEL: "info", ...env },
  });
  let output = "";
  child.stdout?.on("data", (d) => {
    output += d;
  });
  child.stderr?.on("data", (d) => {
    output += d;
  });
  const exited = once(child, "exit");
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const force = setTimeout(() => child.kill("SIGKILL"), 20_000);
    child.kill("SIGTERM");
    await exited;
    clearTimeout(force);
  };
  onTestFinished(stop);
  const deadline = Date.now() + 60_000;
  for (;;) {
    const url = /API\s+(http:\/\/\S+)\/v1/.exec(output)?.[1];
    if (url) return { child, url, output: () => output, exited, stop };
    if (child.exitCode !== null || Date.now() > deadline) {
      throw new Error(`the node did not start:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A request to a node process: status and parsed body. */
export async function callNode(
  url: string,
  method: string,
  path: string,
  opts: { key?: string; body?: unknown } = {},
): Promise<{ status: number; body: any }> {
  const headers: Record<string, string> = {};
  if (opts.key) headers.authorization = `Bearer ${opts.key}`;
  if (opts.body !== undefined) headers["content-type"] = "application/json";
  const res = await fetch(`${url}${path}`, {
    method,
    headers,
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: res.status, body };
}
