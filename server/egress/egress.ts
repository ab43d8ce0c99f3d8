/**
 * The egress gate: the one place where every outbound socket of a plugin is opened. A
 * connection test sends requests to addresses a user typed, so without it the server could be
 * turned against its own network (SSRF) or its cloud metadata service.
 *
 * The check happens at connect time, on the address that is actually connected:
 * - names are resolved by the gate's own `lookup`, which is the lookup the socket uses (there
 *   is no second resolution, so an answer that changes between check and connect — DNS
 *   rebinding — has nothing to slip through), and every address it returns is checked;
 * - a literal address is checked before the socket is created (Node never calls `lookup`
 *   for one);
 * - once connected, `remoteAddress` is checked again, so no path around the lookup connects;
 * - a lookup that fails or returns nothing fails closed.
 * Addresses are normalised first: IPv4-mapped (`::ffff:a.b.c.d`), IPv4-compatible
 * (`::a.b.c.d`), SIIT (`::ffff:0:a.b.c.d`), NAT64 (`64:ff9b::/96`, `64:ff9b:1::/48`) and
 * 6to4 (`2002::/16`) forms are checked as the IPv4 address they embed; names lose their
 * trailing dots and case.
 *
 * Policy: link-local and cloud metadata addresses are always blocked; loopback and private
 * ranges are blocked when `blockPrivate` is on (the default in production) unless listed in
 * `allow`; `deny` is always blocked.
 *
 * Clients get the gate as: an undici dispatcher (fetch), `connect`/`connectTls` (nodemailer's
 * `getSocket`, ldapts' `createConnection`, the AWS SDK's agents).
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import net, { type LookupFunction } from 'node:net';
import tls from 'node:tls';
import ipaddr from 'ipaddr.js';
import { Agent, buildConnector, type Dispatcher } from 'undici';
import { errorCode } from '../../plugins/sdk/index.ts';

export class EgressBlockedError extends Error {
  override readonly name = 'EgressBlockedError';
  readonly host: string;
  constructor(host: string, reason: string) {
    super(`Outbound connection to ${host} blocked: ${reason}`);
    this.host = host;
  }
}

/** An address a name resolved to, as `dns.lookup({ all: true })` gives it. */
export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** The gate's settings, as `server/config.ts` reads them. */
export interface EgressSettings {
  /** Block loopback, RFC 1918, CGNAT and IPv6 unique-local ranges. */
  blockPrivate: boolean;
  /** Host names or addresses/CIDRs exempt from the private-range block (never from the metadata block). */
  allow: readonly string[];
  /** Host names or addresses/CIDRs that are always blocked. */
  deny: readonly string[];
}

export interface EgressGateOptions extends EgressSettings {
  /** Resolves a host name to its addresses (injectable for tests); default `dns.lookup`. */
  resolve?: (host: string) => Promise<readonly (ResolvedAddress | string)[]>;
}

/** What a plugin context carries: the gate every outbound socket goes through. */
export interface EgressGate {
  /**
   * Resolves and checks `host` without connecting: for a clear message before a client is
   * built. It is not the enforcement: the connection itself goes through the gate again.
   */
  check(host: string, port?: number): Promise<void>;
  /** A `net.connect` lookup that resolves through the gate and refuses blocked answers. */
  readonly lookup: LookupFunction;
  /** `net.connect` through the gate. A refused destination errors the socket before any byte. */
  connect(options: net.TcpNetConnectOpts): net.Socket;
  /** `tls.connect` through the gate (also for upgrading a gated socket: `{ socket }`). */
  connectTls(options: tls.ConnectionOptions): tls.TLSSocket;
  /** An undici dispatcher whose connections go through the gate, for `fetch`. */
  readonly dispatcher: Dispatcher;
  /** Ends every connection, requests in flight included (they fail). */
  close(): Promise<void>;
}

type Address = ipaddr.IPv4 | ipaddr.IPv6;

/** Cloud metadata services and other addresses no plugin may reach, whatever the settings. */
const ALWAYS_BLOCKED_CIDRS = [
  '169.254.0.0/16', // link-local, incl. 169.254.169.254 (AWS, GCP, Azure, OpenStack metadata)
  '0.0.0.0/8', // "this network": 0.0.0.0 reaches the local host on Linux
  '100.100.100.200/32', // Alibaba Cloud metadata
  '255.255.255.255/32',
  '224.0.0.0/4', // multicast is never a vendor
  'fe80::/10', // link-local
  'fd00:ec2::254/128', // AWS metadata over IPv6
  '::/128',
  'ff00::/8',
];

const METADATA_HOSTS = new Set(['metadata.google.internal', 'metadata', 'metadata.azure.internal', 'instance-data', 'metadata.packet.net']);

const PRIVATE_CIDRS = ['127.0.0.0/8', '10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', '::1/128', 'fc00::/7'];

/** Prefixes of IPv6 ranges that carry an IPv4 address in their last 32 bits. */
const EMBEDDING_LAST_32 = ['64:ff9b::/96', '64:ff9b:1::/48', '::ffff:0:0:0/96', '::/96'].map((cidr) => ipaddr.parseCIDR(cidr) as [ipaddr.IPv6, number]);
const SIX_TO_FOUR = ipaddr.parseCIDR('2002::/16') as [ipaddr.IPv6, number];

/** A name as a connection uses it: lower case, no brackets, no trailing dots. */
export function normaliseHost(raw: string): string {
  return raw.trim().replace(/^\[|\]$/g, '').replace(/\.+$/, '').toLowerCase();
}

/** Parses a literal address (none of the legacy IPv4 spellings: those go through the resolver). */
function parseLiteral(host: string): Address | undefined {
  const family = net.isIP(host);
  if (family === 0) return undefined;
  return ipaddr.parse(host.replace(/%.*$/, ''));
}

/** The address a packet really goes to: IPv4 embedded in an IPv6 form is that IPv4 address. */
export function canonicalAddress(address: Address): Address {
  if (address.kind() === 'ipv4') return address;
  const v6 = address as ipaddr.IPv6;
  if (v6.isIPv4MappedAddress()) return v6.toIPv4Address();
  const bytes = v6.toByteArray();
  // `::` and `::1` are themselves, not 0.0.0.0 and 0.0.0.1.
  if (bytes.slice(0, 15).every((b) => b === 0)) return v6;
  for (const range of EMBEDDING_LAST_32) {
    if (v6.match(range)) return ipaddr.fromByteArray(bytes.slice(12, 16));
  }
  if (v6.match(SIX_TO_FOUR)) return ipaddr.fromByteArray(bytes.slice(2, 6));
  return v6;
}

interface CidrList {
  matches(address: Address): boolean;
}

function cidrList(entries: readonly string[]): CidrList {
  const ranges = entries.map((entry) => {
    const [network, prefix] = entry.split('/');
    const parsed = canonicalAddress(ipaddr.parse(network!));
    const bits = prefix === undefined ? (parsed.kind() === 'ipv4' ? 32 : 128) : Number(prefix);
    return [parsed, bits] as [Address, number];
  });
  return { matches: (address) => ranges.some(([network, bits]) => network.kind() === address.kind() && address.match(network, bits)) };
}

/** Host names and addresses/CIDRs, as given in PLUGFORM_EGRESS_ALLOW / _DENY. */
function hostMatcher(entries: readonly string[]): { matchesHost(host: string): boolean; matchesAddress(address: Address): boolean } {
  const names = new Set<string>();
  const cidrs: string[] = [];
  for (const entry of entries) {
    const [network] = entry.split('/');
    if (net.isIP(network!.replace(/^\[|\]$/g, '')) === 0) names.add(normaliseHost(entry));
    else cidrs.push(entry.replace(/^\[|\]/g, ''));
  }
  const list = cidrList(cidrs);
  return { matchesHost: (host) => names.has(host), matchesAddress: (address) => list.matches(address) };
}

export function createEgressGate(options: EgressGateOptions): EgressGate {
  const always = cidrList(ALWAYS_BLOCKED_CIDRS);
  const privateRanges = cidrList(PRIVATE_CIDRS);
  const allow = hostMatcher(options.allow);
  const deny = hostMatcher(options.deny);
  const resolveName =
    options.resolve ?? (async (host: string) => (await dnsLookup(host, { all: true, verbatim: true })) as ResolvedAddress[]);

  /** Why `address` (reached for `host`) is refused, or `undefined` when it may be connected. */
  const verdict = (raw: Address, host: string): string | undefined => {
    const address = canonicalAddress(raw);
    const shown = address.toString();
    const via = shown === host || raw.toString() === host ? shown : `${shown} (resolved from ${host})`;
    if (always.matches(address)) return `${via} is a link-local or cloud metadata address, which plugins may never reach`;
    if (deny.matchesAddress(address)) return `${via} is listed in PLUGFORM_EGRESS_DENY`;
    if (options.blockPrivate && privateRanges.matches(address) && !allow.matchesAddress(address) && !allow.matchesHost(host)) {
      return `${via} is a private or loopback address and PLUGFORM_EGRESS_BLOCK_PRIVATE is on (add it to PLUGFORM_EGRESS_ALLOW to permit it)`;
    }
    return undefined;
  };

  /** The refusal that needs no DNS: a metadata or denied name, or a literal address. */
  const refusalWithoutLookup = (host: string): EgressBlockedError | undefined => {
    if (host === '') return new EgressBlockedError('(empty host)', 'no host given');
    if (METADATA_HOSTS.has(host)) return new EgressBlockedError(host, `${host} is a cloud metadata service, which plugins may never reach`);
    if (deny.matchesHost(host)) return new EgressBlockedError(host, `${host} is listed in PLUGFORM_EGRESS_DENY`);
    const literal = parseLiteral(host);
    if (literal) {
      const reason = verdict(literal, host);
      if (reason) return new EgressBlockedError(host, reason);
    }
    return undefined;
  };

  /** Resolves `rawHost` and returns its addresses, every one of them allowed; throws otherwise. */
  const resolveChecked = async (rawHost: string): Promise<ResolvedAddress[]> => {
    const host = normaliseHost(rawHost);
    const refusal = refusalWithoutLookup(host);
    if (refusal) throw refusal;
    const literal = parseLiteral(host);
    if (literal) return [{ address: literal.toString(), family: literal.kind() === 'ipv4' ? 4 : 6 }];
    let answers: readonly (ResolvedAddress | string)[];
    try {
      answers = await resolveName(host);
    } catch (error) {
      const code = errorCode(error);
      // Fail closed: a name the gate cannot resolve is never handed to a resolver of its own.
      throw new EgressBlockedError(host, `the name could not be resolved${typeof code === 'string' ? ` (${code})` : ''}`);
    }
    if (answers.length === 0) throw new EgressBlockedError(host, 'the name resolved to no address');
    const addresses: ResolvedAddress[] = [];
    for (const answer of answers) {
      const text = typeof answer === 'string' ? answer : answer.address;
      const parsed = parseLiteral(text);
      if (!parsed) throw new EgressBlockedError(host, 'the resolver answered something that is not an address');
      const reason = verdict(parsed, host);
      if (reason) throw new EgressBlockedError(host, reason);
      addresses.push({ address: parsed.toString(), family: parsed.kind() === 'ipv4' ? 4 : 6 });
    }
    return addresses;
  };

  const lookup: LookupFunction = (hostname, lookupOptions, callback) => {
    const done = callback as (error: Error | null, address?: string | ResolvedAddress[], family?: number) => void;
    resolveChecked(hostname).then(
      (addresses) => {
        const wanted = lookupOptions.family === 4 || lookupOptions.family === 6 ? addresses.filter((a) => a.family === lookupOptions.family) : addresses;
        if (wanted.length === 0) return done(new EgressBlockedError(normaliseHost(hostname), `the name has no IPv${lookupOptions.family} address`));
        if (lookupOptions.all) return done(null, wanted);
        return done(null, wanted[0]!.address, wanted[0]!.family);
      },
      (error: Error) => done(error),
    );
  };

  /** Defence in depth: whatever happened on the way, the peer actually connected is checked. */
  const guardPeer = <S extends net.Socket>(socket: S, host: string): S => {
    socket.once('connect', () => {
      const peer = socket.remoteAddress ? parseLiteral(socket.remoteAddress) : undefined;
      const reason = peer ? verdict(peer, host) : 'the connected address is unknown';
      if (reason) socket.destroy(new EgressBlockedError(host, reason));
    });
    return socket;
  };

  const refusedSocket = (error: Error): net.Socket => refused(error);

  const connect = (connectOptions: net.TcpNetConnectOpts): net.Socket => {
    const host = normaliseHost(connectOptions.host ?? 'localhost');
    const refusal = refusalWithoutLookup(host);
    if (refusal) return refusedSocket(refusal);
    return guardPeer(net.connect({ ...connectOptions, host, lookup }), host);
  };

  const connectTls = (connectOptions: tls.ConnectionOptions): tls.TLSSocket => {
    // An upgrade of a socket the gate opened: nothing new is connected.
    if (connectOptions.socket) return tls.connect(connectOptions);
    const host = normaliseHost(connectOptions.host ?? 'localhost');
    const refusal = refusalWithoutLookup(host);
    // The caller only listens for events on it; a plain socket that errors at once serves.
    if (refusal) return refusedSocket(refusal) as tls.TLSSocket;
    const servername = connectOptions.servername ?? (parseLiteral(host) ? undefined : host);
    return guardPeer(tls.connect({ ...connectOptions, host, lookup, ...(servername ? { servername } : {}) }), host);
  };

  const baseConnector = buildConnector({ lookup });
  const dispatcher = new Agent({
    connect: (connectOptions, callback) => {
      const host = normaliseHost(connectOptions.hostname);
      const refusal = refusalWithoutLookup(host);
      if (refusal) {
        callback(refusal, null);
        return;
      }
      baseConnector(connectOptions, (error, socket) => {
        if (error || !socket) return callback(error ?? new Error('no socket'), null);
        const peer = socket.remoteAddress ? parseLiteral(socket.remoteAddress) : undefined;
        const reason = peer ? verdict(peer, host) : 'the connected address is unknown';
        if (reason) {
          socket.destroy();
          return callback(new EgressBlockedError(host, reason), null);
        }
        return callback(null, socket);
      });
    },
  });

  return {
    async check(host) {
      await resolveChecked(host);
    },
    lookup,
    connect,
    connectTls,
    dispatcher,
    // Destroy, not close: undici's close waits for requests in flight, and a plugin call past
    // the shutdown grace (a check handed back to another replica) may never end by itself.
    close: () => dispatcher.destroy(),
  };
}

/** Checks PLUGFORM_EGRESS_ALLOW / _DENY entries: names, addresses or CIDRs. */
export function egressEntryProblem(entry: string): string | undefined {
  const [network, prefix, extra] = entry.replace(/^\[|\]/g, '').split('/');
  if (extra !== undefined) return `"${entry}" is not a host, an address or a CIDR`;
  if (net.isIP(network!) === 0) {
    if (prefix !== undefined) return `"${entry}" is not a CIDR (the network is not an address)`;
    return /^[a-z0-9.-]+$/i.test(network!) ? undefined : `"${entry}" is not a host name`;
  }
  if (prefix === undefined) return undefined;
  const max = net.isIP(network!) === 4 ? 32 : 128;
  const bits = Number(prefix);
  return Number.isInteger(bits) && bits >= 0 && bits <= max ? undefined : `"${entry}" has a prefix outside 0–${max}`;
}

/** A gate that lets every address through except link-local and metadata ones (tests, tools). */
export const openEgressGate: EgressGate = createEgressGate({ blockPrivate: false, allow: [], deny: [] });

/** Egress for a context that may not reach anything (a plugin registering): every socket errors. */
export function closedEgress(reason: string): Pick<EgressGate, 'check' | 'connect' | 'connectTls'> {
  const refusedFor = (host: string | undefined) => refused(new EgressBlockedError(host ?? '(no host)', reason));
  return {
    check: (host) => Promise.reject(new EgressBlockedError(host, reason)),
    connect: (options) => refusedFor(options.host),
    connectTls: (options) => refusedFor(options.host) as tls.TLSSocket,
  };
}

/**
 * A socket that never connected anywhere and errors with `error`. It is destroyed at once, so
 * it reads as closed to a client that looks (ldapts does), and Node emits the error on the
 * next tick, after the caller has attached its listeners.
 */
function refused(error: Error): net.Socket {
  const socket = new net.Socket();
  socket.destroy(error);
  return socket;
}
