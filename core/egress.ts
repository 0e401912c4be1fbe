import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import { request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import { BlockList, isIP } from "node:net";

/**
 * The node's rule for outgoing requests to addresses its users chose (webhook URLs, later
 * partner nodes): public addresses only, unless an operator allows a range explicitly with
 * `CARAVAN_EGRESS_ALLOW`. The rule is applied to the address actually connected to, so a
 * name that resolves to a private address at delivery time (DNS rebinding) is refused too.
 */

/** Ranges that are not the public internet: loopback, private, link-local, special use. */
const DENIED: [string, number, "ipv4" | "ipv6"][] = [
  ["0.0.0.0", 8, "ipv4"], // "this network"
  ["10.0.0.0", 8, "ipv4"],
  ["100.64.0.0", 10, "ipv4"], // carrier-grade NAT
  ["127.0.0.0", 8, "ipv4"],
  ["169.254.0.0", 16, "ipv4"], // link-local, cloud metadata
  ["172.16.0.0", 12, "ipv4"],
  ["192.0.0.0", 24, "ipv4"],
  ["192.0.2.0", 24, "ipv4"],
  ["192.168.0.0", 16, "ipv4"],
  ["198.18.0.0", 15, "ipv4"],
  ["198.51.100.0", 24, "ipv4"],
  ["203.0.113.0", 24, "ipv4"],
  ["224.0.0.0", 4, "ipv4"], // multicast
  ["240.0.0.0", 4, "ipv4"], // reserved and broadcast
  ["::", 96, "ipv6"], // unspecified, loopback, IPv4-compatible
  ["100::", 64, "ipv6"], // discard
  ["2001::", 32, "ipv6"], // Teredo
  ["2001:db8::", 32, "ipv6"],
  ["fc00::", 7, "ipv6"], // unique local
  ["fe80::", 10, "ipv6"], // link-local
  ["fec0::", 10, "ipv6"], // old site-local
  ["ff00::", 8, "ipv6"], // multicast
];

const denied = new BlockList();
for (const [address, prefix, type] of DENIED) denied.addSubnet(address, prefix, type);

export interface Cidr {
  address: string;
  prefix: number;
  family: "ipv4" | "ipv6";
}

/** `10.0.0.0/8`, `::1/128`, or a bare address (a /32 or /128); throws a readable Error. */
function parseCidr(text: string): Cidr {
  const [address = "", prefixText, extra] = text.trim().split("/");
  const version = isIP(address);
  if (version === 0 || extra !== undefined) {
    throw new Error(`"${text}" is not an address or CIDR range (e.g. 127.0.0.0/8, ::1/128)`);
  }
  const max = version === 4 ? 32 : 128;
  const prefix = prefixText === undefined ? max : Number(prefixText);
  if (!/^\d{1,3}$/.test(prefixText ?? String(max)) || prefix > max) {
    throw new Error(`"${text}" has a bad prefix length (0–${max})`);
  }
  return { address, prefix, family: version === 4 ? "ipv4" : "ipv6" };
}

/** A comma-separated list of CIDR ranges; empty means none. */
export function parseCidrList(text: string | undefined): Cidr[] {
  return (text ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "")
    .map(parseCidr);
}

/** The eight 16-bit groups of an IPv6 address. */
function groupsOf(address: string): number[] {
  // The URL parser writes every IPv6 form (dotted tail, leading zeros) in one canonical way.
  const canonical = new URL(`http://[${address}]`).hostname.slice(1, -1);
  const [head = "", tail] = canonical.split("::");
  const parts = (s: string) => (s === "" ? [] : s.split(":").map((g) => Number.parseInt(g, 16)));
  const left = parts(head);
  const right = tail === undefined ? [] : parts(tail);
  return [...left, ...Array<number>(8 - left.length - right.length).fill(0), ...right];
}

/** The IPv4 address an IPv6 address stands for (mapped, NAT64, 6to4), if any. */
function embeddedIpv4(address: string): string | undefined {
  const g = groupsOf(address);
  const v4 = (hi: number, lo: number) => `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  const [g0, g1, g2, g3, g4, g5, g6 = 0, g7 = 0] = g;
  if (g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0xffff) return v4(g6, g7);
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0) {
    return v4(g6, g7);
  }
  if (g0 === 0x2002) return v4(g1 ?? 0, g2 ?? 0);
  return undefined;
}

export class EgressPolicy {
  private readonly allowed = new BlockList();
  private readonly anyAllowed: boolean;

  constructor(allow: readonly Cidr[] = []) {
    for (const c of allow) this.allowed.addSubnet(c.address, c.prefix, c.family);
    this.anyAllowed = allow.length > 0;
  }

  /** Whether the node may connect to this IP address. */
  allows(address: string): boolean {
    const bare = address.replace(/^\[|\]$/g, "").replace(/%.*$/, "");
    const version = isIP(bare);
    if (version === 0) return false;
    const family = version === 4 ? "ipv4" : "ipv6";
    const v4 = version === 6 ? embeddedIpv4(bare) : undefined;
    if (this.anyAllowed) {
      if (this.allowed.check(bare, family)) return true;
      if (v4 !== undefined && this.allowed.check(v4, "ipv4")) return true;
    }
    if (v4 !== undefined) return !denied.check(v4, "ipv4") && !denied.check(bare, "ipv6");
    return !denied.check(bare, family);
  }

  /**
   * Why a URL's host may not be used, judged from the URL alone (an IP literal in any form
   * the URL parser accepts, or a `localhost` name), or null. Other names are judged by the
   * address they resolve to when the request is made.
   */
  refuseUrl(url: URL): string | null {
    const host = url.hostname.replace(/\.$/, "").toLowerCase();
    if (host === "localhost" || host.endsWith(".localhost")) {
      return this.allows("127.0.0.1") || this.allows("::1")
        ? null
        : "must not point at this machine (localhost)";
    }
    const literal = host.replace(/^\[|\]$/g, "");
    if (isIP(literal) !== 0 && !this.allows(literal)) {
      return "must not point at a loopback, private, link-local or reserved address";
    }
    return null;
  }
}

/** No private ranges allowed: the default. */
export const PUBLIC_ONLY = new EgressPolicy();

/** A connection the egress rule refused; not worth retrying. */
export class EgressDeniedError extends Error {
  override name = "EgressDeniedError";
  readonly code = "EGRESS_DENIED";
}

type Resolve = (
  hostname: string,
  callback: (err: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void,
) => void;

const systemResolve: Resolve = (hostname, callback) => dnsLookup(hostname, { all: true }, callback);

/**
 * A `lookup` for `http.request`: resolves once, refuses the connection if any resolved
 * address is not allowed, and hands only the checked addresses to the socket.
 */
export function guardedLookup(policy: EgressPolicy, resolve: Resolve = systemResolve) {
  return (
    hostname: string,
    options: { all?: boolean },
    callback: (
      err: NodeJS.ErrnoException | null,
      address: string | LookupAddress[],
      family?: number,
    ) => void,
  ): void => {
    resolve(hostname, (err, addresses) => {
      if (err) return callback(err, []);
      const refused = addresses.find((a) => !policy.allows(a.address));
      if (refused || addresses.length === 0) {
        const error = new EgressDeniedError(
          refused
            ? `${hostname} resolves to ${refused.address}, which is not allowed`
            : `${hostname} resolves to no address`,
        );
        return callback(error, []);
      }
      if (options.all) return callback(null, addresses);
      const [first] = addresses as [LookupAddress];
      callback(null, first.address, first.family);
    });
  };
}

export interface EgressResponse {
  status: number;
  /** Read for `Retry-After`. */
  headers: IncomingHttpHeaders;
  /** The body, when `maxBodyBytes` asked for it; else it is discarded. */
  body?: string;
}

/** Reads a response body up to `max` bytes; a longer one fails the request. */
function readBody(res: IncomingMessage, max: number): Promise<string> {
  return new Promise((ok, fail) => {
    const chunks: Buffer[] = [];
    let size = 0;
    res.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) {
        res.destroy();
        fail(new Error(`response body over ${max} bytes`));
      } else chunks.push(chunk);
    });
    res.on("end", () => ok(Buffer.concat(chunks).toString("utf8")));
    res.on("error", fail);
    // A timeout destroys the response mid-body: no `end` comes, so `close` must settle it.
    res.on("close", () => {
      if (!res.complete) fail(new Error("response body cut short"));
    });
  });
}

/**
 * One HTTP(S) request under the egress rule. Redirects are never followed (the status is
 * returned as is); the response body is discarded unless `maxBodyBytes` asks for it.
 */
export function egressRequest(
  policy: EgressPolicy,
  url: string,
  init: {
    method: string;
    headers: Record<string, string>;
    body?: string;
    timeoutMs: number;
    resolve?: Resolve;
    maxBodyBytes?: number;
  },
): Promise<EgressResponse> {
  return new Promise((resolvePromise, reject) => {
    const target = new URL(url);
    const refusal = policy.refuseUrl(target);
    if (refusal) return reject(new EgressDeniedError(`${target.host}: ${refusal}`));
    const send = target.protocol === "https:" ? httpsRequest : httpRequest;
    const req = send(target, {
      method: init.method,
      headers: init.headers,
      agent: false,
      lookup: guardedLookup(policy, init.resolve),
      signal: AbortSignal.timeout(init.timeoutMs),
    });
    // A literal address skips `lookup`; the connected peer is checked in every case.
    req.on("socket", (socket) => {
      socket.once("connect", () => {
        const peer = socket.remoteAddress;
        if (peer === undefined || !policy.allows(peer)) {
          req.destroy(new EgressDeniedError(`connected to ${peer ?? "an unknown address"}`));
        }
      });
    });
    req.on("response", (res: IncomingMessage) => {
      if (init.maxBodyBytes !== undefined) {
        readBody(res, init.maxBodyBytes).then(
          (body) => resolvePromise({ status: res.statusCode ?? 0, headers: res.headers, body }),
          reject,
        );
        return;
      }
      res.resume();
      res.on("error", () => {});
      resolvePromise({ status: res.statusCode ?? 0, headers: res.headers });
      res.destroy();
    });
    req.on("error", reject);
    req.end(init.body);
  });
}
