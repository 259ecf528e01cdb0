/**
 * The DNS check runner: a small DNS client. It asks one resolver one
 * question over UDP (retrying over TCP when the answer comes back truncated)
 * and reports the answer's rcode and records, so conditions can judge them.
 *
 * It talks to the resolver itself instead of using node:dns because a check
 * must see the rcode (NXDOMAIN, SERVFAIL...) and ask a chosen resolver with a
 * chosen timeout; node:dns folds rcodes into error codes and retries on its own.
 */
import { randomInt } from 'node:crypto';
import dgram from 'node:dgram';
import dns from 'node:dns';
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import dnsPacket, { type Answer, type DecodedPacket } from 'dns-packet';
import type { ConditionContext, DnsCheckSpec, DnsRecordType, Observation } from '../types.ts';
import type { RunContext } from './context.ts';
import {
  CheckFailure,
  connectTcp,
  describeNetError,
  formatAddress,
  resolveHost,
  startDeadline,
  toCheckError,
  untilAborted,
} from './tcp.ts';

const DEFAULT_DNS_PORT = 53;

/** Where to send the query. */
export interface ResolverAddress {
  host: string;
  port: number;
}

/**
 * Parses a resolver as written in a spec or returned by `dns.getServers()`:
 * `1.1.1.1`, `1.1.1.1:5353`, `::1`, `[::1]:5353`, `dns.internal:53`.
 * Throws a `config` failure for anything else.
 */
export function parseResolver(text: string): ResolverAddress {
  const trimmed = text.trim();
  const bad = (why: string) => new CheckFailure('config', `bad resolver ${JSON.stringify(text)}: ${why}`);
  let host: string;
  let portText: string | undefined;
  const bracketed = /^\[([^\]]+)\](?::(.*))?$/.exec(trimmed);
  if (bracketed) {
    host = bracketed[1]!;
    portText = bracketed[2];
  } else if (net.isIPv6(trimmed)) {
    host = trimmed; // a bare IPv6 address: its colons are not a port separator
  } else {
    const colon = trimmed.lastIndexOf(':');
    host = colon === -1 ? trimmed : trimmed.slice(0, colon);
    portText = colon === -1 ? undefined : trimmed.slice(colon + 1);
  }
  if (host === '' || /[\s/]/.test(host)) throw bad('no host');
  if (bracketed && !net.isIPv6(host)) throw bad('brackets hold an IPv6 address');
  if (portText === undefined) return { host, port: DEFAULT_DNS_PORT };
  const port = /^\d{1,5}$/.test(portText) ? Number(portText) : Number.NaN;
  if (!(port >= 1 && port <= 65535)) throw bad('the port must be 1-65535');
  return { host, port };
}

const RCODE_NAMES = [
  'NOERROR',
  'FORMERR',
  'SERVFAIL',
  'NXDOMAIN',
  'NOTIMP',
  'REFUSED',
  'YXDOMAIN',
  'YXRRSET',
  'NXRRSET',
  'NOTAUTH',
  'NOTZONE',
];

/** The name of the rcode in a reply's header flags (the low 4 bits): NOERROR, NXDOMAIN, ..., RCODE_n past the named ones. */
export function rcodeName(flags: number): string {
  const code = flags & 0xf;
  return RCODE_NAMES[code] ?? `RCODE_${code}`;
}

/** TXT data comes as one string or buffer, or a list of them (character-strings). */
function txtText(data: string | Buffer | (string | Buffer)[]): string {
  const parts = Array.isArray(data) ? data : [data];
  // The strings of one record form one text (RFC 7208 §3.3 reads SPF that way), so no separator.
  return parts.map((part) => (typeof part === 'string' ? part : part.toString('utf8'))).join('');
}

/**
 * One record as a line of `[BODY]`: A/AAAA the address, CNAME/NS/PTR the name,
 * MX `priority exchange`, TXT the joined strings, SRV `priority weight port target`,
 * SOA `mname rname serial`, CAA `flags tag value`. Other types: undefined.
 */
export function renderAnswer(answer: Answer): string | undefined {
  switch (answer.type) {
    case 'A':
    case 'AAAA':
    case 'CNAME':
    case 'NS':
    case 'PTR':
      return answer.data;
    case 'MX':
      return `${answer.data.preference ?? 0} ${answer.data.exchange}`;
    case 'TXT':
      return txtText(answer.data);
    case 'SRV':
      return `${answer.data.priority ?? 0} ${answer.data.weight ?? 0} ${answer.data.port} ${answer.data.target}`;
    case 'SOA':
      return `${answer.data.mname} ${answer.data.rname} ${answer.data.serial ?? 0}`;
    case 'CAA':
      return `${answer.data.flags ?? 0} ${answer.data.tag} ${answer.data.value}`;
    default:
      return undefined;
  }
}

/** The answers of the asked type, one line each, in the order the resolver sent them (a CNAME chain is left out). */
export function answerLines(answers: readonly Answer[], recordType: DnsRecordType): string[] {
  const lines: string[] = [];
  for (const answer of answers) {
    if (answer.type !== recordType) continue;
    const line = renderAnswer(answer);
    if (line !== undefined) lines.push(line);
  }
  return lines;
}

/** The first address (A or AAAA) among the answers, for `[IP]`. */
export function firstAddress(answers: readonly Answer[]): string | undefined {
  for (const answer of answers) {
    if (answer.type === 'A' || answer.type === 'AAAA') return answer.data;
  }
  return undefined;
}

/** A name as compared in replies: no trailing dot, lower case (DNS names are case-insensitive). */
function canonicalName(name: string): string {
  return (name.endsWith('.') ? name.slice(0, -1) : name).toLowerCase();
}

/** A recursive query for one question, with the given id. */
export function encodeQuery(name: string, recordType: DnsRecordType, id: number): Buffer {
  return dnsPacket.encode({
    type: 'query',
    id,
    flags: dnsPacket.RECURSION_DESIRED,
    questions: [{ type: recordType, name: canonicalName(name), class: 'IN' }],
  });
}

/**
 * Decodes `message` when it answers our query: undefined when it is someone
 * else's (another id, or another question: a late reply to an earlier query
 * or a spoofing attempt is ignored, not taken as the answer).
 * Throws a `protocol` failure when a reply with our id cannot be decoded.
 */
export function matchReply(
  message: Buffer,
  id: number,
  name: string,
  recordType: DnsRecordType,
): DecodedPacket | undefined {
  if (message.length < 2 || message.readUInt16BE(0) !== id) return undefined;
  let reply: DecodedPacket;
  try {
    reply = dnsPacket.decode(message);
  } catch (err) {
    throw new CheckFailure(
      'protocol',
      `malformed DNS reply: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  if (reply.type !== 'response') return undefined;
  // Replies to malformed queries may carry no question; only a different one disqualifies.
  const question = reply.questions?.[0];
  if (question && (canonicalName(question.name) !== canonicalName(name) || question.type !== recordType))
    return undefined;
  return reply;
}

/** What a query exchange needs to know. */
interface Exchange {
  server: ResolverAddress & { ip: string };
  name: string;
  recordType: DnsRecordType;
  signal: AbortSignal;
}

/** A random query id (RFC 5452: unpredictable ids make spoofed answers harder to land). */
function newQueryId(): number {
  return randomInt(0, 0x10000);
}

/**
 * Sends the query over a connected UDP socket and waits for the matching reply.
 * Connecting the socket makes the kernel drop datagrams from other sources and
 * report an ICMP port unreachable as ECONNREFUSED (a resolver that is not there).
 * No retransmission: the check's retry policy decides whether to try again.
 */
function queryUdp(exchange: Exchange): Promise<DecodedPacket> {
  const { server, name, recordType, signal } = exchange;
  const address = formatAddress(server.ip, server.port);
  const id = newQueryId();
  const query = encodeQuery(name, recordType, id);
  const socket = dgram.createSocket(net.isIPv6(server.ip) ? 'udp6' : 'udp4');
  const close = () => {
    try {
      socket.close();
    } catch {
      // already closed
    }
  };
  const reply = new Promise<DecodedPacket>((resolve, reject) => {
    socket.on('error', (err) => {
      reject(new CheckFailure('connect', `cannot query ${address} over UDP: ${describeNetError(err)}`));
    });
    socket.on('message', (message) => {
      try {
        const matched = matchReply(message, id, name, recordType);
        if (matched) resolve(matched);
      } catch (err) {
        reject(err);
      }
    });
    socket.connect(server.port, server.ip, () => {
      socket.send(query, (err) => {
        if (err) reject(new CheckFailure('connect', `cannot query ${address}: ${describeNetError(err)}`));
      });
    });
  });
  return untilAborted(signal, `waiting for ${address} to answer over UDP`, reply).finally(close);
}

/** Reads one length-prefixed DNS message after another until the one answering our query (RFC 1035 §4.2.2). */
function readTcpReplies(
  socket: net.Socket,
  id: number,
  exchange: Exchange,
  address: string,
): Promise<DecodedPacket> {
  const { name, recordType } = exchange;
  return new Promise<DecodedPacket>((resolve, reject) => {
    let buffered = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      try {
        // Bounded: every turn consumes at least the 2-byte prefix.
        while (buffered.length >= 2) {
          const length = buffered.readUInt16BE(0);
          if (buffered.length < 2 + length) return;
          const message = buffered.subarray(2, 2 + length);
          buffered = buffered.subarray(2 + length);
          const matched = matchReply(message, id, name, recordType);
          if (matched) return resolve(matched);
        }
      } catch (err) {
        reject(err);
      }
    });
    socket.once('end', () =>
      reject(new CheckFailure('protocol', `${address} closed the TCP connection without answering`)),
    );
    socket.once('error', (err) =>
      reject(new CheckFailure('protocol', `${address} over TCP: ${describeNetError(err)}`)),
    );
  });
}

/** Asks the question again over TCP, as a truncated UDP answer asks us to. */
async function queryTcp(exchange: Exchange): Promise<DecodedPacket> {
  const { server, name, recordType, signal } = exchange;
  const address = formatAddress(server.ip, server.port);
  const socket = await connectTcp(server.ip, server.port, signal);
  try {
    const id = newQueryId();
    const query = encodeQuery(name, recordType, id);
    const prefix = Buffer.alloc(2);
    prefix.writeUInt16BE(query.length);
    const reply = readTcpReplies(socket, id, exchange, address);
    socket.write(Buffer.concat([prefix, query]));
    return await untilAborted(signal, `waiting for ${address} to answer over TCP`, reply);
  } finally {
    socket.destroy();
  }
}

/** The resolver of the spec, or the system's first one. */
function chooseResolver(spec: DnsCheckSpec): ResolverAddress {
  if (spec.resolver !== undefined) return parseResolver(spec.resolver);
  const system = dns.getServers()[0];
  if (system === undefined) throw new CheckFailure('config', 'no resolver given and the system has none');
  return parseResolver(system);
}

/**
 * Runs one DNS check. `[DNS_RCODE]` is the reply's rcode; an rcode other than
 * NOERROR is not an error (conditions judge it), only getting no usable reply
 * is. `[BODY]` holds the answers of the asked type, one per line; `[IP]` the
 * first address answered. The `resolve` phase is the whole query round trip,
 * the TCP retry included.
 */
export async function runDnsCheck(spec: DnsCheckSpec, ctx: RunContext): Promise<Observation> {
  const deadline = startDeadline(ctx);
  const started = performance.now();
  const context: ConditionContext = { responseTimeMs: 0 };
  const observation: Observation = { context, phases: {} };
  try {
    const resolver = chooseResolver(spec);
    const ip = await resolveHost(resolver.host, deadline.signal);
    const exchange: Exchange = {
      server: { ...resolver, ip },
      name: spec.name,
      recordType: spec.recordType,
      signal: deadline.signal,
    };
    const asked = performance.now();
    let reply = await queryUdp(exchange);
    if (reply.flag_tc) reply = await queryTcp(exchange);
    observation.phases.resolve = performance.now() - asked;

    const answers = reply.answers ?? [];
    context.dnsRcode = rcodeName(reply.flags ?? 0);
    context.body = answerLines(answers, spec.recordType).join('\n');
    const address = firstAddress(answers);
    if (address !== undefined) context.ip = address;
  } catch (err) {
    observation.error = toCheckError(err);
  } finally {
    context.responseTimeMs = performance.now() - started;
    deadline.dispose();
  }
  return observation;
}
