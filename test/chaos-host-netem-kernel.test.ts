/**
 * test/chaos-host.test.ts again, on a kernel that has netem. This machine's
 * kernel is built without CONFIG_NET_SCH_NETEM, so there that file checks the
 * clear error; here it boots Debian's stock kernel (`.ci/test-kernel`) under
 * qemu with this machine's files as its root (test/helpers/kernel-vm.ts) and
 * runs the same file inside, where every netem branch measures the real effect:
 * delay, jitter, loss, duplication, corruption, reordering, scoped and not.
 */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { loadOrder, runOnTestKernel } from './helpers/kernel-vm.ts';

interface JsonReport {
  numTotalTests: number;
  numPassedTests: number;
  testResults: { assertionResults: { title: string; status: string; failureMessages: string[] }[] }[];
}

describe('loadOrder', () => {
  const dep = [
    'kernel/fs/9p/9p.ko: kernel/net/9p/9pnet.ko kernel/fs/netfs/netfs.ko',
    'kernel/net/9p/9pnet.ko:',
    'kernel/fs/netfs/netfs.ko:',
    'kernel/net/9p/9pnet_virtio.ko: kernel/net/9p/9pnet.ko kernel/drivers/virtio/virtio_ring.ko',
    'kernel/drivers/virtio/virtio_ring.ko:',
  ].join('\n');

  it.each([
    { wanted: ['9p'], order: ['net/9p/9pnet', 'fs/netfs/netfs', 'fs/9p/9p'] },
    {
      wanted: ['9pnet_virtio', '9p'],
      order: [
        'net/9p/9pnet',
        'drivers/virtio/virtio_ring',
        'net/9p/9pnet_virtio',
        'fs/netfs/netfs',
        'fs/9p/9p',
      ],
    },
  ])('puts dependencies first, each module once: $wanted', ({ wanted, order }) => {
    expect(loadOrder(dep, wanted)).toEqual(order.map((m) => `kernel/${m}.ko`));
  });

  it('names a module the tree does not have', () => {
    expect(() => loadOrder(dep, ['sch_netem'])).toThrow(
      "module sch_netem is not in the test kernel's modules.dep",
    );
  });
});

describe('host network faults on a kernel with netem (Debian kernel under qemu)', () => {
  it('every test of test/chaos-host.test.ts passes there, with netem available', async () => {
    const file = 'test/chaos-host.test.ts';
    const expected = (await readFile(file, 'utf8')).match(/^\s*it\(/gm)?.length ?? 0;
    const vm = await runOnTestKernel({
      command: `node_modules/.bin/vitest run --project main ${file} --reporter=json --outputFile=/out/report.json > /out/vitest.log 2>&1`,
      cwd: process.cwd(),
      env: { BALLAST_EXPECT_NETEM: '1', CI: '1' },
      timeoutMs: 420_000,
    });
    const log = vm.files['vitest.log'] ?? '';
    expect(
      vm.files['report.json'],
      `no report from the guest:\n${vm.console.slice(-3000)}\n${log.slice(-3000)}`,
    ).toBeDefined();
    const report = JSON.parse(vm.files['report.json'] as string) as JsonReport;
    const results = report.testResults.flatMap((f) => f.assertionResults);
    const failed = results.filter((r) => r.status !== 'passed');
    expect(failed.map((r) => `${r.title}: ${r.failureMessages.join('\n')}`)).toEqual([]);
    expect(vm.exitCode).toBe(0);
    // Every test ran (none skipped or lost); the EFFECTS loop is one `it(` for four tests.
    expect(results.length).toBeGreaterThanOrEqual(expected);
    expect(results.some((r) => r.title.startsWith('netem: duplicate'))).toBe(true);
    expect(report.numPassedTests).toBe(report.numTotalTests);
  }, 480_000);
});
