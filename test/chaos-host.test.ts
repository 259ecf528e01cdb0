/**
 * Network host faults against the real kernel: each test makes its own network
 * namespace (`ballast-t-<pid>-<n>`, deleted even on failure), runs a small TCP or
 * UDP program inside it, and measures what the fault does. Needs root.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { spawnCommand } from '../src/chaos/host/exec.ts';
import {
  CommandError,
  type CommandRunner,
  HostFaultManager,
  NETEM_MISSING,
  type NetworkDetails,
  probeNetworkCapabilities,
  systemRunner,
} from '../src/chaos/host/index.ts';
import {
  createNetns,
  deleteNetns,
  hostFaultRejection,
  rootQdiscOf,
  runNodeInNetns,
  sh,
  TCP_TRANSFER,
  UDP_ECHO,
  UDP_SEQUENCE,
} from '../src/chaos/host/testing.ts';

// Host faults need root (CI runs as root): without it these tests fail rather than skip.
/** A capability probe of this kernel (in a scratch namespace): netem is missing on some kernels. */
const caps = await probeNetworkCapabilities();
const NETEM = caps?.netem.available === true;

type Transfer = { ms?: number; timeout?: boolean; error?: string };
type Echo = { sent: number; sendErrors: number; echoed: number; rttMs: number | null };
type Sequence = {
  sent: number;
  unique: number;
  duplicates: number;
  corrupted: number;
  inversions: number;
  p10: number | null;
  p50: number | null;
  p90: number | null;
};

const MB2 = String(2 * 1024 * 1024);
const managers: HostFaultManager[] = [];
const namespaces: string[] = [];

afterAll(async () => {
  for (const m of managers) await m.revertAll().catch(() => undefined);
  for (const ns of namespaces) await deleteNetns(ns);
});

/** A fresh namespace and manager; both are cleaned up in afterAll even if the test fails. */
async function setup(run: CommandRunner = systemRunner): Promise<{ ns: string; faults: HostFaultManager }> {
  const ns = await createNetns();
  namespaces.push(ns);
  const faults = new HostFaultManager({ run });
  managers.push(faults);
  return { ns, faults };
}

function transfer(
  ns: string,
  host: string,
  port: number,
  bytes = MB2,
  timeoutMs = 20_000,
): Promise<Transfer> {
  return runNodeInNetns<Transfer>(ns, TCP_TRANSFER, [host, String(port), bytes, String(timeoutMs)]);
}

async function nftTables(ns: string): Promise<string> {
  return sh(['nft', 'list', 'tables'], ns);
}

describe('network faults (root, network namespaces)', () => {
  it('the capability probe reports every capability with a reason when it is missing', () => {
    for (const c of Object.values(caps ?? {})) {
      if (!c.available) expect(c.reason.length).toBeGreaterThan(10);
    }
    expect(caps?.tbf.available).toBe(true);
    expect(caps?.htb.available).toBe(true);
    // Set by test/chaos-host-netem-kernel, which runs this file on a kernel that has netem.
    if (process.env.BALLAST_EXPECT_NETEM === '1') expect(caps?.netem).toEqual({ available: true });
  });

  it('bandwidth (tbf) slows a 2 MB transfer to about the asked rate, and revert restores full speed', async () => {
    const { ns, faults } = await setup();
    const before = await transfer(ns, '127.0.0.1', 7001);
    expect(before.ms).toBeLessThan(1500);

    const f = await faults.add({ kind: 'bandwidth', interface: 'lo', netns: ns, rate: '8mbit' });
    expect(f.details).toMatchObject({
      backend: 'tc',
      priorRoot: { kind: 'noqueue', handle: '0:', owner: 'default' },
    });
    expect(await rootQdiscOf(ns)).toBe('tbf ba11:');
    // 2 MiB at 8 Mbit/s is about 2.1 s; the burst lets some through at once.
    const shaped = await transfer(ns, '127.0.0.1', 7001);
    expect(shaped.ms).toBeGreaterThan(1200);

    expect(await faults.revert(f.id)).toBe(true);
    expect(await rootQdiscOf(ns)).toBe('noqueue 0:');
    const after = await transfer(ns, '127.0.0.1', 7001);
    expect(after.ms).toBeLessThan(1500);
  });

  it('bandwidth scoped to a destination address shapes only that address (htb + u32)', async () => {
    const { ns, faults } = await setup();
    const f = await faults.add({
      kind: 'bandwidth',
      interface: 'lo',
      netns: ns,
      rate: '8mbit',
      destination: { cidr: '127.0.0.2/32' },
    });
    expect(await rootQdiscOf(ns)).toBe('htb ba11:');
    expect((f.details as NetworkDetails).commands.map((c) => c.slice(0, 3).join(' '))).toEqual([
      'tc qdisc add',
      'tc class add',
      'tc qdisc add',
      'tc filter add',
    ]);
    const [shaped, other] = [await transfer(ns, '127.0.0.2', 7002), await transfer(ns, '127.0.0.1', 7003)];
    expect(shaped.ms).toBeGreaterThan(1200);
    expect(other.ms).toBeLessThan(1500);
    await faults.revert(f.id);
    expect(await rootQdiscOf(ns)).toBe('noqueue 0:');
  });

  it('bandwidth scoped to a destination port shapes only that port', async () => {
    const { ns, faults } = await setup();
    await faults.add({
      kind: 'bandwidth',
      interface: 'lo',
      netns: ns,
      rate: '8mbit',
      destination: { port: 7004 },
    });
    const [shaped, other] = [await transfer(ns, '127.0.0.1', 7004), await transfer(ns, '127.0.0.1', 7005)];
    expect(shaped.ms).toBeGreaterThan(1200);
    expect(other.ms).toBeLessThan(1500);
  });

  it('100 % loss makes a TCP connection time out, and revert restores it', async () => {
    const { ns, faults } = await setup();
    const f = await faults.add({ kind: 'netem', interface: 'lo', netns: ns, lossPct: 100 });
    const details = f.details as NetworkDetails;
    if (NETEM) expect(details.backend).toBe('tc');
    else {
      // The fallback: same fault, nftables instead of netem, and the details say why.
      expect(details).toMatchObject({ backend: 'nftables', table: `ballast_${f.id.replace(/-/g, '_')}` });
      expect(details.note).toContain(NETEM_MISSING);
      expect(await nftTables(ns)).toContain(details.table);
    }
    expect(await transfer(ns, '127.0.0.1', 7006, '1000', 1500)).toEqual({ timeout: true });

    await faults.revert(f.id);
    expect(await nftTables(ns)).not.toContain('ballast_');
    expect((await transfer(ns, '127.0.0.1', 7006, '1000', 5000)).ms).toBeLessThan(2000);
  });

  it('50 % loss scoped to a UDP port drops about half the datagrams sent to it, unseen by the sender', async () => {
    const { ns, faults } = await setup();
    const clean = await runNodeInNetns<Echo>(ns, UDP_ECHO, ['127.0.0.1', '7007', '300']);
    expect(clean.echoed).toBeGreaterThanOrEqual(295);

    const f = await faults.add({
      kind: 'netem',
      interface: 'lo',
      netns: ns,
      lossPct: 50,
      destination: { cidr: '127.0.0.1', port: 7007, protocol: 'udp' },
    });
    // Only the requests go to port 7007 (the echoes go to the client's port), so about 150 come back.
    const lossy = await runNodeInNetns<Echo>(ns, UDP_ECHO, ['127.0.0.1', '7007', '300']);
    expect(lossy.sendErrors).toBe(0);
    expect(lossy.echoed).toBeGreaterThan(80);
    expect(lossy.echoed).toBeLessThan(220);

    await faults.revert(f.id);
    const restored = await runNodeInNetns<Echo>(ns, UDP_ECHO, ['127.0.0.1', '7007', '300']);
    expect(restored.echoed).toBeGreaterThanOrEqual(295);
  });

  // One test, two kernels: where netem exists the delay is measured; where it does not (this CI's
  // Firecracker kernel), the fault must fail with the clear error and leave nothing behind.
  it('netem delay adds the asked delay, or on a kernel without netem says so and leaves nothing', async () => {
    const { ns, faults } = await setup();
    if (NETEM) {
      const f = await faults.add({ kind: 'netem', interface: 'lo', netns: ns, delayMs: 100 });
      // Request and echo both leave through lo, so the round trip gains about 200 ms.
      const delayed = await runNodeInNetns<Echo>(ns, UDP_ECHO, ['127.0.0.1', '7008', '20']);
      expect(delayed.rttMs).toBeGreaterThan(150);
      await faults.revert(f.id);
      const clean = await runNodeInNetns<Echo>(ns, UDP_ECHO, ['127.0.0.1', '7008', '20']);
      expect(clean.rttMs).toBeLessThan(50);
      return;
    }
    const err = await hostFaultRejection(
      faults.add({ kind: 'netem', interface: 'lo', netns: ns, delayMs: 100, lossPct: 5 }),
    );
    expect(err.code).toBe('unsupported');
    expect(err.field).toBe('delayMs');
    expect(err.message).toBe(`${NETEM_MISSING}; delayMs need netem`);
    expect(await rootQdiscOf(ns)).toBe('noqueue 0:');
    expect(faults.list()).toEqual([]);
  });

  // Each netem effect alone, on the requests only (scoped to the echo server's UDP port, so the
  // replies pass unchanged): measured where the kernel has netem (test/chaos-host-netem-kernel runs
  // this file on one), the clear error naming the field where it has not.
  const EFFECTS: {
    effect: string;
    spec: {
      delayMs?: number;
      jitterMs?: number;
      duplicatePct?: number;
      corruptPct?: number;
      reorderPct?: number;
    };
    field: string;
    port: number;
    check: (r: Sequence) => void;
  }[] = [
    {
      effect: 'jitter spreads the round trips around the delay',
      spec: { delayMs: 40, jitterMs: 20 },
      field: 'delayMs',
      port: 7101,
      check: (r) => {
        expect(r.unique).toBeGreaterThanOrEqual(290);
        expect(r.p50).toBeGreaterThan(30);
        // Uniform over 40 ± 20 ms: the middle 80 % spans about 32 ms.
        expect((r.p90 ?? 0) - (r.p10 ?? 0)).toBeGreaterThan(15);
      },
    },
    {
      effect: 'duplicate sends about the asked share twice',
      spec: { duplicatePct: 50 },
      field: 'duplicatePct',
      port: 7102,
      check: (r) => {
        expect(r.unique).toBeGreaterThanOrEqual(290);
        expect(r.duplicates / r.sent).toBeGreaterThan(0.3);
        expect(r.duplicates / r.sent).toBeLessThan(0.7);
      },
    },
    {
      effect: 'corrupt spoils about the asked share (dropped on a bad checksum, or a wrong body)',
      spec: { corruptPct: 50 },
      field: 'corruptPct',
      port: 7103,
      check: (r) => {
        expect(r.unique / r.sent).toBeGreaterThan(0.3);
        expect(r.unique / r.sent).toBeLessThan(0.7);
      },
    },
    {
      effect: 'reorder lets a share overtake the delayed rest',
      spec: { delayMs: 20, reorderPct: 50 },
      field: 'delayMs',
      port: 7104,
      check: (r) => {
        expect(r.unique).toBeGreaterThanOrEqual(290);
        expect(r.inversions).toBeGreaterThan(30);
      },
    },
  ];

  for (const { effect, spec, field, port, check } of EFFECTS) {
    it(`netem: ${effect}, or without netem the error names ${field}`, async () => {
      const { ns, faults } = await setup();
      const attempt = faults.add({
        kind: 'netem',
        interface: 'lo',
        netns: ns,
        ...spec,
        destination: { cidr: '127.0.0.1', port, protocol: 'udp' },
      });
      if (NETEM) {
        const f = await attempt;
        check(await runNodeInNetns<Sequence>(ns, UDP_SEQUENCE, ['127.0.0.1', String(port), '300']));
        await faults.revert(f.id);
        const clean = await runNodeInNetns<Sequence>(ns, UDP_SEQUENCE, ['127.0.0.1', String(port), '300']);
        expect(clean).toMatchObject({ unique: 300, duplicates: 0, corrupted: 0 });
        expect(await rootQdiscOf(ns)).toBe('noqueue 0:');
        return;
      }
      const err = await hostFaultRejection(attempt);
      expect(err.code).toBe('unsupported');
      expect(err.field).toBe(field);
      expect(err.message).toContain(NETEM_MISSING);
      expect(await rootQdiscOf(ns)).toBe('noqueue 0:');
      expect(faults.list()).toEqual([]);
    });
  }

  it('a scoped netem fault applies, or without netem removes the HTB root it had already added', async () => {
    const { ns, faults } = await setup();
    const attempt = faults.add({
      kind: 'netem',
      interface: 'lo',
      netns: ns,
      duplicatePct: 5,
      destination: { port: 80 },
    });
    if (NETEM) {
      const f = await attempt;
      expect(await rootQdiscOf(ns)).toContain('htb');
      await faults.revert(f.id);
      expect(await rootQdiscOf(ns)).toBe('noqueue 0:');
      return;
    }
    const err = await hostFaultRejection(attempt);
    expect(err.message).toContain(NETEM_MISSING);
    expect(await rootQdiscOf(ns)).toBe('noqueue 0:');
  });

  it('apply is all-or-nothing: when the filter step fails, the qdiscs already added are removed', async () => {
    // The real tc runs every step but the filter, which fails as it does on a kernel without cls_u32.
    const noU32: CommandRunner = async (cmd) => {
      if (cmd.argv[1] === 'filter') throw new CommandError(cmd, 'Error: TC classifier not found.\n', 2);
      return systemRunner(cmd);
    };
    const { ns, faults } = await setup(noU32);
    const err = await hostFaultRejection(
      faults.add({
        kind: 'bandwidth',
        interface: 'lo',
        netns: ns,
        rate: '1mbit',
        destination: { cidr: '10.0.0.0/8' },
      }),
    );
    expect(err.code).toBe('unsupported');
    expect(err.message).toContain('u32 classifier is not available');
    expect(await rootQdiscOf(ns)).toBe('noqueue 0:');
    // The claim on the interface was released too: the unscoped fault applies.
    await faults.add({ kind: 'bandwidth', interface: 'lo', netns: ns, rate: '1mbit' });
  });

  it('a root qdisc Ballast did not create is refused, replaced only with replace: true, and revert leaves the default', async () => {
    const { ns, faults } = await setup();
    await sh(['tc', 'qdisc', 'add', 'dev', 'lo', 'root', 'handle', '1:', 'pfifo', 'limit', '500'], ns);
    const spec = { kind: 'bandwidth', interface: 'lo', netns: ns, rate: '8mbit' };
    const err = await hostFaultRejection(faults.add(spec));
    expect(err).toMatchObject({ code: 'conflict', field: 'replace' });
    expect(err.message).toContain('already has a root qdisc Ballast did not create (pfifo 1:)');
    expect(await rootQdiscOf(ns)).toBe('pfifo 1:');

    const f = await faults.add({ ...spec, replace: true });
    expect(f.details).toMatchObject({ priorRoot: { kind: 'pfifo', handle: '1:', owner: 'foreign' } });
    expect((f.details as NetworkDetails).note).toContain('replaced root qdisc pfifo 1:');
    expect(await rootQdiscOf(ns)).toBe('tbf ba11:');
    await faults.revert(f.id);
    expect(await rootQdiscOf(ns)).toBe('noqueue 0:');
  });

  it('a leftover Ballast root (a crashed run) is replaced without asking', async () => {
    const { ns, faults } = await setup();
    await sh(['tc', 'qdisc', 'add', 'dev', 'lo', 'root', 'handle', 'ba11:', 'pfifo'], ns);
    const f = await faults.add({ kind: 'bandwidth', interface: 'lo', netns: ns, rate: '8mbit' });
    expect((f.details as NetworkDetails).note).toContain('removed a leftover Ballast root qdisc');
    expect(await rootQdiscOf(ns)).toBe('tbf ba11:');
  });

  it('a second qdisc fault on the same interface is refused while the first holds it', async () => {
    const { ns, faults } = await setup();
    const first = await faults.add({ kind: 'bandwidth', interface: 'lo', netns: ns, rate: '8mbit' });
    const err = await hostFaultRejection(
      faults.add({ kind: 'bandwidth', interface: 'lo', netns: ns, rate: '1mbit' }),
    );
    expect(err.code).toBe('conflict');
    expect(err.message).toContain(`already held by fault ${first.id}`);
    expect(await rootQdiscOf(ns)).toBe('tbf ba11:');
  });

  it('a revert that arrives while apply runs wins: add rejects and nothing is left', async () => {
    const { ns, faults } = await setup();
    const adding = hostFaultRejection(
      faults.add({ kind: 'bandwidth', interface: 'lo', netns: ns, rate: '8mbit' }, { id: 'lease-7' }),
    );
    expect(await faults.revert('lease-7')).toBe(true);
    expect((await adding).code).toBe('reverted');
    expect(await rootQdiscOf(ns)).toBe('noqueue 0:');
    expect(await faults.revert('lease-7')).toBe(false);
  });

  it('revert after the namespace was deleted counts as done', async () => {
    const { ns, faults } = await setup();
    const f = await faults.add({ kind: 'bandwidth', interface: 'lo', netns: ns, rate: '8mbit' });
    await deleteNetns(ns);
    expect(await faults.revert(f.id)).toBe(true);
    expect(faults.list()).toEqual([]);
  });

  it("sweepLeftovers removes a crashed run's root qdisc and table, and keeps live faults and foreign qdiscs", async () => {
    const { ns, faults } = await setup();
    await sh(['ip', 'link', 'add', 'va', 'type', 'veth', 'peer', 'name', 'vb'], ns);
    await sh(['tc', 'qdisc', 'add', 'dev', 'lo', 'root', 'handle', 'ba11:', 'pfifo'], ns);
    await sh(['tc', 'qdisc', 'add', 'dev', 'va', 'root', 'handle', '1:', 'pfifo'], ns);
    await sh(['nft', 'add', 'table', 'netdev', 'ballast_crashed'], ns);
    const live = await faults.add({ kind: 'bandwidth', interface: 'vb', netns: ns, rate: '8mbit' });

    const dry = await faults.sweepLeftovers({ netns: ns, dryRun: true });
    expect(dry).toEqual({ qdiscs: ['lo'], tables: ['ballast_crashed'] });
    expect(await rootQdiscOf(ns, 'lo')).toBe('pfifo ba11:');

    expect(await faults.sweepLeftovers({ netns: ns })).toEqual(dry);
    expect(await rootQdiscOf(ns, 'lo')).toBe('noqueue 0:');
    expect(await nftTables(ns)).not.toContain('ballast_crashed');
    expect(await rootQdiscOf(ns, 'va')).toBe('pfifo 1:');
    expect(await rootQdiscOf(ns, 'vb')).toBe('tbf ba11:');
    await faults.revert(live.id);
  });

  it('a missing interface or namespace is named', async () => {
    const { ns, faults } = await setup();
    const dev = await hostFaultRejection(
      faults.add({ kind: 'bandwidth', interface: 'nope0', netns: ns, rate: '8mbit' }),
    );
    expect(dev).toMatchObject({ code: 'not_found', field: 'interface' });
    expect(dev.message).toContain('interface "nope0" does not exist');
    const netns = await hostFaultRejection(
      faults.add({ kind: 'bandwidth', interface: 'lo', netns: `${ns}-x`, rate: '8mbit' }),
    );
    expect(netns).toMatchObject({ code: 'not_found', field: 'netns' });
  });

  it('without root, the error says tc needs root or CAP_NET_ADMIN and nothing is changed', async () => {
    // Enter the namespace as root, then drop to nobody for the tool itself.
    const asNobody: CommandRunner = (cmd) =>
      spawnCommand(cmd, [
        'ip',
        'netns',
        'exec',
        cmd.netns as string,
        'setpriv',
        '--reuid=65534',
        '--regid=65534',
        '--clear-groups',
        ...cmd.argv,
      ]);
    const { ns, faults } = await setup(asNobody);
    const tc = await hostFaultRejection(
      faults.add({ kind: 'bandwidth', interface: 'lo', netns: ns, rate: '8mbit' }),
    );
    expect(tc.code).toBe('permission');
    expect(tc.message).toContain('tc needs root or CAP_NET_ADMIN');
    const nft = await hostFaultRejection(
      faults.add({ kind: 'netem', interface: 'lo', netns: ns, lossPct: 10 }),
    );
    expect(nft.code).toBe('permission');
    expect(nft.message).toMatch(/(tc|nft) needs root or CAP_NET_ADMIN/);
    expect(await rootQdiscOf(ns)).toBe('noqueue 0:');
  });
});
