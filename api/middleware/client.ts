import { BlockList, isIP } from "node:net";
import { getConnInfo } from "@hono/node-server/conninfo";
import type { Context } from "hono";
import type { Cidr } from "../../core/egress";
import type { AppEnv, ProxyTrust } from "../env";

/** Which peers are proxies whose `X-Forwarded-*` headers are believed. */
export function proxyTrust(cidrs: readonly Cidr[]): ProxyTrust {
  if (cidrs.length === 0) return () => false;
  const list = new BlockList();
  for (const c of cidrs) list.addSubnet(c.address, c.prefix, c.family);
  return (address) => {
    const version = isIP(address);
    return version !== 0 && list.check(address, version === 4 ? "ipv4" : "ipv6");
  };
}

/** `::ffff:203.0.113.7` and `203.0.113.7` are one client. */
function plain(address: string): string {
  return address.replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/i, "$1");
}

function socketAddress(c: Context<AppEnv>): string {
  try {
    const address = getConnInfo(c).remote.address;
    return address ? plain(address) : "unknown";
  } catch {
    // In-process requests (tests) have no socket.
    return "local";
  }
}

/**
 * The client's address: the socket's peer, or, when that peer is a trusted proxy, the
 * nearest address in `X-Forwarded-For` that is not itself a trusted proxy. A client cannot
 * choose its own address by sending the header straight to the node.
 */
export function clientAddress(c: Context<AppEnv>): string {
  const peer = socketAddress(c);
  const trusts = c.get("deps").trustProxy;
  if (!trusts?.(peer)) return peer;
  const hops = (c.req.header("x-forwarded-for") ?? "")
    .split(",")
    .map((s) => plain(s.trim()))
    .filter((s) => s !== "");
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i] as string;
    if (!trusts(hop) || i === 0) return hop;
  }
  return peer;
}

/** Whether the client reached the node over TLS (directly, or through a trusted proxy). */
export function cameOverHttps(c: Context<AppEnv>): boolean {
  if (new URL(c.req.url).protocol === "https:") return true;
  const trusts = c.get("deps").trustProxy;
  return trusts?.(socketAddress(c)) === true && c.req.header("x-forwarded-proto") === "https";
}
