/**
 * The egress policy: which addresses plugins may reach. A connection test sends requests to
 * addresses a user typed, so without a policy the server could be turned against its own
 * network (SSRF). Link-local and cloud metadata addresses are always blocked; private
 * ranges and loopback are blocked when PLUGFORM_EGRESS_BLOCK_PRIVATE is on.
 *
 * Host names are resolved and every resolved address is checked. The check happens right
 * before the connection, so a DNS answer that changes in between (rebinding) is a
 * residual risk; blocking private ranges at the network layer closes it completely.
 */
import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import type { EgressCheck } from '../instances/plugin-context.ts';

export class EgressBlockedError extends Error {
  override readonly name = 'EgressBlockedError';
  readonly host: string;
  constructor(host: string, reason: string) {
    super(`Outbound connection to ${host} blocked: ${reason}`);
    this.host = host;
  }
}

export interface EgressPolicyOptions {
  /** Block loopback, RFC 1918, CGNAT and IPv6 unique-local ranges. */
  blockPrivate: boolean;
  /** Host names or addresses/CIDRs exempt from the private-range block (never from the metadata block). */
  allow: readonly string[];
  /** Host names or addresses/CIDRs that are always blocked. */
  deny: readonly string[];
  /** Resolves a host name to its addresses (injectable for tests). */
  resolve?: (host: string) => Promise<string[]>;
}

const ALWAYS_BLOCKED: readonly [string, number, 'ipv4' | 'ipv6'][] = [
  ['169.254.0.0', 16, 'ipv4'], // link-local, incl. 169.254.169.254 (AWS, GCP, Azure, OpenStack metadata)
  ['0.0.0.0', 8, 'ipv4'], // "this network": 0.0.0.0 reaches the local host on Linux
  ['100.100.100.200', 32, 'ipv4'], // Alibaba Cloud metadata
  ['fe80::', 10, 'ipv6'], // link-local
  ['fd00:ec2::254', 128, 'ipv6'], // AWS metadata over IPv6
  ['::', 128, 'ipv6'],
];

const METADATA_HOSTS = new Set(['metadata.google.internal', 'metadata', 'metadata.azure.internal', 'instance-data']);

const PRIVATE: readonly [string, number, 'ipv4' | 'ipv6'][] = [
  ['127.0.0.0', 8, 'ipv4'],
  ['10.0.0.0', 8, 'ipv4'],
  ['172.16.0.0', 12, 'ipv4'],
  ['192.168.0.0', 16, 'ipv4'],
  ['100.64.0.0', 10, 'ipv4'],
  ['::1', 128, 'ipv6'],
  ['fc00::', 7, 'ipv6'],
];

function blockList(ranges: readonly [string, number, 'ipv4' | 'ipv6'][]): BlockList {
  const list = new BlockList();
  for (const [network, prefix, family] of ranges) list.addSubnet(network, prefix, family);
  return list;
}

/** A list of host names and addresses/CIDRs, as given in PLUGFORM_EGRESS_ALLOW / _DENY. */
function hostMatcher(entries: readonly string[]): { matchesHost(host: string): boolean; matchesAddress(address: string): boolean } {
  const names = new Set<string>();
  const list = new BlockList();
  for (const entry of entries) {
    const [network, prefix] = entry.split('/');
    const family = isIP(network ?? '');
    if (family === 0) names.add(entry.toLowerCase());
    else list.addSubnet(network!, prefix === undefined ? (family === 4 ? 32 : 128) : Number(prefix), family === 4 ? 'ipv4' : 'ipv6');
  }
  return {
    matchesHost: (host) => names.has(host.toLowerCase()),
    matchesAddress: (address) => list.check(address, isIP(address) === 6 ? 'ipv6' : 'ipv4'),
  };
}

/** `::ffff:10.0.0.1` is 10.0.0.1: check mapped addresses as the IPv4 address they are. */
function unmapped(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return mapped ? mapped[1]! : address;
}

export function createEgressPolicy(options: EgressPolicyOptions): EgressCheck {
  const always = blockList(ALWAYS_BLOCKED);
  const privateRanges = blockList(PRIVATE);
  const allow = hostMatcher(options.allow);
  const deny = hostMatcher(options.deny);
  const resolve = options.resolve ?? (async (host: string) => (await lookup(host, { all: true })).map((a) => a.address));

  const verdict = (address: string, host: string): string | undefined => {
    const ip = unmapped(address);
    const family = isIP(ip) === 6 ? 'ipv6' : 'ipv4';
    const via = ip === host ? ip : `${ip} (resolved from ${host})`;
    if (always.check(ip, family)) return `${via} is a link-local or cloud metadata address, which plugins may never reach`;
    if (deny.matchesAddress(ip)) return `${via} is listed in PLUGFORM_EGRESS_DENY`;
    if (options.blockPrivate && privateRanges.check(ip, family) && !allow.matchesAddress(ip) && !allow.matchesHost(host)) {
      return `${via} is a private or loopback address and PLUGFORM_EGRESS_BLOCK_PRIVATE is on (add it to PLUGFORM_EGRESS_ALLOW to permit it)`;
    }
    return undefined;
  };

  return {
    async check(rawHost: string) {
      const host = rawHost.replace(/^\[|\]$/g, '').toLowerCase();
      if (METADATA_HOSTS.has(host)) throw new EgressBlockedError(host, `${host} is a cloud metadata service, which plugins may never reach`);
      if (deny.matchesHost(host)) throw new EgressBlockedError(host, `${host} is listed in PLUGFORM_EGRESS_DENY`);
      let addresses: string[];
      if (isIP(host) !== 0) {
        addresses = [host];
      } else {
        try {
          addresses = await resolve(host);
        } catch {
          // Unresolvable: let the client fail with its own "not found" error, which names the host.
          return;
        }
      }
      for (const address of addresses) {
        const reason = verdict(address, host);
        if (reason) throw new EgressBlockedError(host, reason);
      }
    },
  };
}

type Env = Readonly<Record<string, string | undefined>>;

export function egressPolicyFromEnv(env: Env): EgressCheck {
  const list = (name: string) =>
    (env[name] ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  const flag = (env.PLUGFORM_EGRESS_BLOCK_PRIVATE ?? '').trim().toLowerCase();
  return createEgressPolicy({
    blockPrivate: flag === 'true' || flag === '1' || flag === 'yes',
    allow: list('PLUGFORM_EGRESS_ALLOW'),
    deny: list('PLUGFORM_EGRESS_DENY'),
  });
}
