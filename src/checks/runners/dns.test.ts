import dgram from 'node:dgram';
import dns from 'node:dns';
import { once } from 'node:events';
import net from 'node:net';
import dnsPacket, { type Answer, type DecodedPacket } from 'dns-packet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DnsCheckSpec, DnsRecordType } from '../types.ts';
import {
  answerLines,
  encodeQuery,
  firstAddress,
  matchReply,
  parseResolver,
  rcodeName,
  renderAnswer,
  runDnsCheck,
} from './dns.ts';
import { CheckFailure } from './tcp.ts';

// ── a small authoritative server for the tests, on 127.0.0.1 over UDP and TCP ──

/** How the test server answers one name. */
interface ZoneEntry {
  rcode?: number;
  answers?: Answer[];
  /** Over UDP: reply with TC set and no answers, so the client must ask over TCP. */
  truncateUdp?: boolean;
  /** Over UDP: first send a reply with another id (which the client must ignore). */
  strayReplyFirst?: Answer[];
}

const zone: Record<string, ZoneEntry> = {
  'www.test': {
    answers: [
      { type: 'A', name: 'www.test', ttl: 60, data: '192.0.2.10' },
      { type: 'A', name: 'www.test', ttl: 60, data: '192.0.2.11' },
    ],
  },
  'v6.test': { answers: [{ type: 'AAAA', name: 'v6.test', ttl: 60, data: '2001:db8::1' }] },
  'mail.test': {
    answers: [
      { type: 'MX', name: 'mail.test', ttl: 60, data: { preference: 10, exchange: 'mx1.test' } },
      { type: 'MX', name: 'mail.test', ttl: 60, data: { preference: 20, exchange: 'mx2.test' } },
    ],
  },
  'txt.test': {
    answers: [
      { type: 'TXT', name: 'txt.test', ttl: 60, data: ['v=spf1 ip4:192.0.2.0/24 ', '-all'] },
      { type: 'TXT', name: 'txt.test', ttl: 60, data: 'verification=abc' },
    ],
  },
  'alias.test': {
    answers: [
      { type: 'CNAME', name: 'alias.test', ttl: 60, data: 'www.test' },
      { type: 'A', name: 'www.test', ttl: 60, data: '192.0.2.10' },
    ],
  },
  'missing.test': { rcode: 3 },
  'broken.test': { rcode: 2 },
  'big.test': {
    truncateUdp: true,
    answers: [1, 2, 3].map((n) => ({ type: 'A' as const, name: 'big.test', ttl: 60, data: `192.0.2.${n}` })),
  },
  'stray.test': {
    strayReplyFirst: [{ type: 'A', name: 'stray.test', ttl: 60, data: '203.0.113.66' }],
    answers: [{ type: 'A', name: 'stray.test', ttl: 60, data: '192.0.2.77' }],
  },
};

function reply(
  query: DecodedPacket,
  rcode: number,
  answers: Answer[],
  extraFlags = 0,
  id = query.id,
): Buffer {
  return dnsPacket.encode({
    type: 'response',
    id,
    flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE | extraFlags | rcode,
    questions: query.questions,
    answers,
  });
}

/** The replies to one query; over UDP the entry may ask for truncation or a stray reply first. */
function answer(message: Buffer, transport: 'udp' | 'tcp'): Buffer[] {
  const query = dnsPacket.decode(message);
  const question = query.questions?.[0];
  const entry = question ? zone[question.name.toLowerCase()] : undefined;
  if (!question || !entry) return [reply(query, 3, [])];
  const answers = (entry.answers ?? []).filter((a) => a.type === question.type || a.type === 'CNAME');
  if (transport === 'udp' && entry.truncateUdp) return [reply(query, 0, [], dnsPacket.TRUNCATED_RESPONSE)];
  const replies = [reply(query, entry.rcode ?? 0, answers)];
  if (transport === 'udp' && entry.strayReplyFirst)
    replies.unshift(reply(query, 0, entry.strayReplyFirst, 0, ((query.id ?? 0) + 1) & 0xffff));
  return replies;
}

interface TestDnsServer {
  port: number;
  tcpQueries: string[];
  close: () => Promise<void>;
}

/** Binds UDP and TCP on the same free port of 127.0.0.1 (a few tries: another process may take the port between the two). */
async function startDnsServer(): Promise<TestDnsServer> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const udp = dgram.createSocket('udp4');
    udp.bind(0, '127.0.0.1');
    await once(udp, 'listening');
    const port = udp.address().port;
    const tcpQueries: string[] = [];
    const sockets = new Set<net.Socket>();
    const tcp = net.createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => {});
      let buffered = Buffer.alloc(0);
      socket.on('data', (chunk: Buffer) => {
        buffered = Buffer.concat([buffered, chunk]);
        while (buffered.length >= 2 && buffered.length >= 2 + buffered.readUInt16BE(0)) {
          const message = buffered.subarray(2, 2 + buffered.readUInt16BE(0));
          buffered = buffered.subarray(2 + message.length);
          tcpQueries.push(dnsPacket.decode(message).questions?.[0]?.name ?? '');
          for (const out of answer(message, 'tcp')) {
            const prefix = Buffer.alloc(2);
            prefix.writeUInt16BE(out.length);
            socket.write(Buffer.concat([prefix, out]));
          }
        }
      });
    });
    const listening = await new Promise<boolean>((resolve) => {
      tcp.once('error', () => resolve(false));
      tcp.listen(port, '127.0.0.1', () => resolve(true));
    });
    if (!listening) {
      udp.close();
      continue;
    }
    udp.on('message', (message, from) => {
      for (const out of answer(message, 'udp')) udp.send(out, from.port, from.address);
    });
    return {
      port,
      tcpQueries,
      close: async () => {
        for (const socket of sockets) socket.destroy();
        tcp.close();
        udp.close();
        await once(tcp, 'close');
      },
    };
  }
  throw new Error('could not bind UDP and TCP on one port');
}

// ── the runner against the test server ──

describe('runDnsCheck', () => {
  let server: TestDnsServer;
  let silent: dgram.Socket;
  let silentPort = 0;

  beforeAll(async () => {
    server = await startDnsServer();
    silent = dgram.createSocket('udp4');
    silent.bind(0, '127.0.0.1');
    await once(silent, 'listening');
    silentPort = silent.address().port;
  });
  afterAll(async () => {
    await server.close();
    silent.close();
  });

  const check = (name: string, recordType: DnsRecordType, resolver?: string): DnsCheckSpec => ({
    type: 'dns',
    name,
    recordType,
    resolver: resolver ?? `127.0.0.1:${server.port}`,
  });

  it.each([
    {
      name: 'A records come one address per line, the first as the IP',
      query: ['www.test', 'A'] as const,
      body: '192.0.2.10\n192.0.2.11',
      ip: '192.0.2.10',
    },
    {
      name: 'an AAAA record comes as its address',
      query: ['v6.test', 'AAAA'] as const,
      body: '2001:db8::1',
      ip: '2001:db8::1',
    },
    {
      name: 'MX records come as priority and exchange',
      query: ['mail.test', 'MX'] as const,
      body: '10 mx1.test\n20 mx2.test',
      ip: undefined,
    },
    {
      name: 'TXT records come with their strings joined',
      query: ['txt.test', 'TXT'] as const,
      body: 'v=spf1 ip4:192.0.2.0/24 -all\nverification=abc',
      ip: undefined,
    },
    {
      name: 'a CNAME is followed by the resolver and left out of the A answers',
      query: ['alias.test', 'A'] as const,
      body: '192.0.2.10',
      ip: '192.0.2.10',
    },
    {
      name: 'asking for the CNAME itself gives its target',
      query: ['alias.test', 'CNAME'] as const,
      body: 'www.test',
      ip: undefined,
    },
    {
      name: 'names are matched without regard to case or a trailing dot',
      query: ['WWW.Test.', 'A'] as const,
      body: '192.0.2.10\n192.0.2.11',
      ip: '192.0.2.10',
    },
  ])('$name', async ({ query, body, ip }) => {
    const obs = await runDnsCheck(check(query[0], query[1]), { timeoutMs: 5000 });
    expect(obs.error).toBeUndefined();
    expect(obs.context.dnsRcode).toBe('NOERROR');
    expect(obs.context.body).toBe(body);
    expect(obs.context.ip).toBe(ip);
    expect(obs.phases.resolve).toBeGreaterThan(0);
    expect(obs.context.responseTimeMs).toBeGreaterThanOrEqual(obs.phases.resolve!);
  });

  it.each([
    { name: 'an unknown name is NXDOMAIN, not an error', qname: 'missing.test', rcode: 'NXDOMAIN' },
    { name: 'a failing zone is SERVFAIL, not an error', qname: 'broken.test', rcode: 'SERVFAIL' },
  ])('$name', async ({ qname, rcode }) => {
    const obs = await runDnsCheck(check(qname, 'A'), { timeoutMs: 5000 });
    expect(obs.error).toBeUndefined();
    expect(obs.context.dnsRcode).toBe(rcode);
    expect(obs.context.body).toBe('');
    expect(obs.context.ip).toBeUndefined();
  });

  it('asks again over TCP when the UDP answer is truncated', async () => {
    const before = server.tcpQueries.length;
    const obs = await runDnsCheck(check('big.test', 'A'), { timeoutMs: 5000 });
    expect(obs.error).toBeUndefined();
    expect(obs.context.body).toBe('192.0.2.1\n192.0.2.2\n192.0.2.3');
    expect(server.tcpQueries.slice(before)).toEqual(['big.test']);
  });

  it('ignores a reply with another id and takes the one answering its query', async () => {
    const obs = await runDnsCheck(check('stray.test', 'A'), { timeoutMs: 5000 });
    expect(obs.error).toBeUndefined();
    expect(obs.context.body).toBe('192.0.2.77');
  });

  it('times out when the resolver never answers', async () => {
    const obs = await runDnsCheck(check('www.test', 'A', `127.0.0.1:${silentPort}`), { timeoutMs: 300 });
    expect(obs.error?.kind).toBe('timeout');
    expect(obs.error?.message).toContain(`127.0.0.1:${silentPort}`);
    expect(obs.context.dnsRcode).toBeUndefined();
    expect(obs.context.responseTimeMs).toBeGreaterThanOrEqual(250);
    expect(obs.context.responseTimeMs).toBeLessThan(3000);
  });

  it('reports a resolver port nobody listens on as a connect error', async () => {
    const gone = dgram.createSocket('udp4');
    gone.bind(0, '127.0.0.1');
    await once(gone, 'listening');
    const port = gone.address().port;
    gone.close();
    const obs = await runDnsCheck(check('www.test', 'A', `127.0.0.1:${port}`), { timeoutMs: 5000 });
    expect(obs.error?.kind).toBe('connect');
    expect(obs.error?.message).toContain('connection refused');
  });

  it('reports an unusable resolver setting as a config error', async () => {
    const obs = await runDnsCheck(check('www.test', 'A', '127.0.0.1:99999'), { timeoutMs: 5000 });
    expect(obs.error?.kind).toBe('config');
  });

  it("uses the system's first resolver when none is given", async () => {
    const saved = dns.getServers();
    dns.setServers([`127.0.0.1:${server.port}`]);
    try {
      const obs = await runDnsCheck(
        { type: 'dns', name: 'v6.test', recordType: 'AAAA' },
        { timeoutMs: 5000 },
      );
      expect(obs.error).toBeUndefined();
      expect(obs.context.body).toBe('2001:db8::1');
    } finally {
      dns.setServers(saved);
    }
  });
});

// ── the pure parts ──

describe('parseResolver', () => {
  it.each([
    { name: 'an IPv4 address takes port 53', text: '192.0.2.1', expected: { host: '192.0.2.1', port: 53 } },
    {
      name: 'an IPv4 address may name its port',
      text: '127.0.0.1:5353',
      expected: { host: '127.0.0.1', port: 5353 },
    },
    {
      name: 'a bare IPv6 address takes port 53',
      text: '2001:db8::53',
      expected: { host: '2001:db8::53', port: 53 },
    },
    {
      name: 'a bracketed IPv6 address may name its port',
      text: '[::1]:5353',
      expected: { host: '::1', port: 5353 },
    },
    {
      name: 'a bracketed IPv6 address alone takes port 53',
      text: '[::1]',
      expected: { host: '::1', port: 53 },
    },
    {
      name: 'a host name may name its port',
      text: 'dns.internal:8053',
      expected: { host: 'dns.internal', port: 8053 },
    },
    { name: 'spaces around it are ignored', text: ' 10.0.0.2 ', expected: { host: '10.0.0.2', port: 53 } },
  ])('$name', ({ text, expected }) => {
    expect(parseResolver(text)).toEqual(expected);
  });

  it.each([
    { name: 'an empty text is refused', text: '' },
    { name: 'port 0 is refused', text: '127.0.0.1:0' },
    { name: 'a port past 65535 is refused', text: '127.0.0.1:65536' },
    { name: 'a port that is not a number is refused', text: '127.0.0.1:dns' },
    { name: 'a missing host is refused', text: ':53' },
    { name: 'brackets around something other than IPv6 are refused', text: '[dns.internal]:53' },
  ])('$name', ({ text }) => {
    expect(() => parseResolver(text)).toThrow(CheckFailure);
    try {
      parseResolver(text);
    } catch (err) {
      expect((err as CheckFailure).kind).toBe('config');
    }
  });
});

describe('rcodeName', () => {
  it.each([
    { name: 'rcode 0 is NOERROR', flags: 0x8180, expected: 'NOERROR' },
    { name: 'rcode 1 is FORMERR', flags: 0x8181, expected: 'FORMERR' },
    { name: 'rcode 2 is SERVFAIL', flags: 0x8182, expected: 'SERVFAIL' },
    { name: 'rcode 3 is NXDOMAIN', flags: 0x8183, expected: 'NXDOMAIN' },
    { name: 'rcode 4 is NOTIMP', flags: 0x8184, expected: 'NOTIMP' },
    { name: 'rcode 5 is REFUSED', flags: 0x8185, expected: 'REFUSED' },
    { name: 'an unnamed rcode is shown by number', flags: 0x818c, expected: 'RCODE_12' },
  ])('$name', ({ flags, expected }) => {
    expect(rcodeName(flags)).toBe(expected);
  });
});

describe('renderAnswer', () => {
  const base = { name: 'x.test', ttl: 60 };
  it.each<{ name: string; answer: Answer; expected: string | undefined }>([
    { name: 'A is the address', answer: { ...base, type: 'A', data: '192.0.2.1' }, expected: '192.0.2.1' },
    {
      name: 'AAAA is the address',
      answer: { ...base, type: 'AAAA', data: '2001:db8::2' },
      expected: '2001:db8::2',
    },
    { name: 'CNAME is the target', answer: { ...base, type: 'CNAME', data: 'y.test' }, expected: 'y.test' },
    {
      name: 'NS is the server name',
      answer: { ...base, type: 'NS', data: 'ns1.test' },
      expected: 'ns1.test',
    },
    { name: 'PTR is the name', answer: { ...base, type: 'PTR', data: 'host.test' }, expected: 'host.test' },
    {
      name: 'MX is priority then exchange',
      answer: { ...base, type: 'MX', data: { preference: 5, exchange: 'mx.test' } },
      expected: '5 mx.test',
    },
    {
      name: 'TXT joins its strings',
      answer: { ...base, type: 'TXT', data: [Buffer.from('a='), Buffer.from('b')] },
      expected: 'a=b',
    },
    {
      name: 'SRV is priority, weight, port and target',
      answer: { ...base, type: 'SRV', data: { priority: 1, weight: 2, port: 443, target: 'svc.test' } },
      expected: '1 2 443 svc.test',
    },
    {
      name: 'SOA is mname, rname and serial',
      answer: {
        ...base,
        type: 'SOA',
        data: {
          mname: 'ns1.test',
          rname: 'admin.test',
          serial: 2024010101,
          refresh: 1,
          retry: 1,
          expire: 1,
          minimum: 1,
        },
      },
      expected: 'ns1.test admin.test 2024010101',
    },
    {
      name: 'CAA is flags, tag and value',
      answer: { ...base, type: 'CAA', data: { flags: 0, tag: 'issue', value: 'letsencrypt.org' } },
      expected: '0 issue letsencrypt.org',
    },
    {
      name: 'a type the checks cannot ask for renders as nothing',
      answer: { ...base, type: 'NULL', data: Buffer.from('x') },
      expected: undefined,
    },
  ])('$name', ({ answer, expected }) => {
    expect(renderAnswer(answer)).toBe(expected);
  });

  it('survives the wire: every rendered type decodes back to the same line', () => {
    const answers: Answer[] = [
      { ...base, type: 'SRV', data: { priority: 1, weight: 2, port: 443, target: 'svc.test' } },
      {
        ...base,
        type: 'SOA',
        data: {
          mname: 'ns1.test',
          rname: 'admin.test',
          serial: 7,
          refresh: 1,
          retry: 1,
          expire: 1,
          minimum: 1,
        },
      },
      { ...base, type: 'CAA', data: { flags: 128, tag: 'issue', value: 'ca.test' } },
      { ...base, type: 'TXT', data: ['one ', 'two'] },
    ];
    const decoded = dnsPacket.decode(dnsPacket.encode({ type: 'response', id: 1, answers })).answers ?? [];
    expect(decoded.map(renderAnswer)).toEqual([
      '1 2 443 svc.test',
      'ns1.test admin.test 7',
      '128 issue ca.test',
      'one two',
    ]);
  });
});

describe('answerLines and firstAddress', () => {
  const answers: Answer[] = [
    { name: 'a.test', type: 'CNAME', data: 'b.test' },
    { name: 'b.test', type: 'AAAA', data: '2001:db8::9' },
    { name: 'b.test', type: 'A', data: '192.0.2.9' },
  ];
  it('keeps only the answers of the asked type', () => {
    expect(answerLines(answers, 'A')).toEqual(['192.0.2.9']);
    expect(answerLines(answers, 'MX')).toEqual([]);
  });
  it('takes the first address of either family', () => {
    expect(firstAddress(answers)).toBe('2001:db8::9');
    expect(firstAddress(answers.slice(0, 1))).toBeUndefined();
  });
});

describe('matchReply', () => {
  const id = 4242;
  const query = dnsPacket.decode(encodeQuery('www.test', 'A', id));
  const answerTo = (over: { id?: number; name?: string; type?: 'A' | 'AAAA'; response?: boolean }) =>
    dnsPacket.encode({
      type: over.response === false ? 'query' : 'response',
      id: over.id ?? id,
      questions: [{ name: over.name ?? 'www.test', type: over.type ?? 'A', class: 'IN' }],
      answers: [{ name: 'www.test', type: 'A', data: '192.0.2.1' }],
    });

  it('builds a recursive query with the given id and question', () => {
    expect(query.id).toBe(id);
    expect(query.flag_rd).toBe(true);
    expect(query.questions).toEqual([{ name: 'www.test', type: 'A', class: 'IN' }]);
  });

  it.each([
    { name: 'the reply to the query is taken', over: {}, taken: true },
    { name: 'a reply with another id is ignored', over: { id: id + 1 }, taken: false },
    { name: 'a reply about another name is ignored', over: { name: 'evil.test' }, taken: false },
    { name: 'a reply about another type is ignored', over: { type: 'AAAA' as const }, taken: false },
    { name: 'a query echoed back is ignored', over: { response: false }, taken: false },
    { name: 'the name is compared without regard to case', over: { name: 'WWW.TEST' }, taken: true },
  ])('$name', ({ over, taken }) => {
    expect(matchReply(answerTo(over), id, 'www.test', 'A') !== undefined).toBe(taken);
  });

  it('reports a reply with its id that cannot be decoded as a protocol failure', () => {
    const truncated = answerTo({}).subarray(0, 20);
    expect(() => matchReply(truncated, id, 'www.test', 'A')).toThrow(/malformed DNS reply/);
  });
});
