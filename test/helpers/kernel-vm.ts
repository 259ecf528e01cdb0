/**
 * Runs a command on another kernel: Debian's stock kernel (unpacked by
 * `.ci/test-kernel`) booted under qemu, with this machine's own root file
 * system as its root, read-only, under a tmpfs overlay. Tests use it for the
 * kernel features this machine's kernel is built without (netem), so the same
 * code runs on both kernels in one CI run. The guest has no network device:
 * its traffic stays on its own loopback and in the namespaces it makes.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, copyFile, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const TEST_KERNEL_DIR = process.env.BALLAST_TEST_KERNEL_DIR ?? '/var/cache/ballast/test-kernel';
const QEMU = 'qemu-system-x86_64';
const BUSYBOX = '/bin/busybox';

/** Modules the guest needs before it can see the host's files (virtio, 9p) and make its root writable. */
const BOOT_MODULES = ['virtio_pci', '9pnet_virtio', '9p', 'overlay'];

export interface VmResult {
  /** The command's exit code in the guest, or null when the guest never reported one. */
  exitCode: number | null;
  /** Everything the guest printed on its console (the command's output, kernel errors). */
  console: string;
  /** The files the command wrote to `/out` in the guest, by name. */
  files: Record<string, string>;
}

export interface VmOptions {
  /** A shell command, run as root in `cwd` in the guest. */
  command: string;
  cwd: string;
  env?: Record<string, string>;
  /** The guest is killed after this long. */
  timeoutMs: number;
  memoryMiB?: number;
  cpus?: number;
}

/** The unpacked kernel: its version, image and module tree; fails with what to run when it is missing. */
export async function findTestKernel(): Promise<{ version: string; vmlinuz: string; modules: string }> {
  const ready = join(TEST_KERNEL_DIR, 'READY');
  if (!existsSync(ready)) {
    throw new Error(
      `no test kernel in ${TEST_KERNEL_DIR}: run .ci/test-kernel (CI does), or set BALLAST_TEST_KERNEL_DIR`,
    );
  }
  const version = (await readFile(ready, 'utf8')).trim().split(' ')[1] ?? '';
  const vmlinuz = join(TEST_KERNEL_DIR, 'boot', `vmlinuz-${version}`);
  const modules = join(TEST_KERNEL_DIR, 'lib', 'modules', version);
  for (const p of [vmlinuz, join(modules, 'modules.dep')]) {
    if (!existsSync(p)) throw new Error(`test kernel in ${TEST_KERNEL_DIR} is incomplete: ${p} is missing`);
  }
  for (const tool of [BUSYBOX]) {
    if (!existsSync(tool)) throw new Error(`${tool} is missing: install busybox-static (.ci/run does)`);
  }
  return { version, vmlinuz, modules };
}

/**
 * The modules to load for `wanted`, dependencies first, as paths relative to the module tree.
 * `dep` is the text of modules.dep.
 */
export function loadOrder(dep: string, wanted: readonly string[]): string[] {
  const deps = new Map<string, string[]>();
  const byName = new Map<string, string>();
  for (const line of dep.split('\n')) {
    const [path, rest] = line.split(':');
    if (!path || rest === undefined) continue;
    deps.set(path, rest.trim() ? rest.trim().split(/\s+/) : []);
    byName.set(moduleName(path), path);
  }
  const order: string[] = [];
  const visit = (path: string) => {
    if (order.includes(path)) return;
    for (const d of deps.get(path) ?? []) visit(d);
    order.push(path);
  };
  for (const name of wanted) {
    const path = byName.get(name);
    if (!path) throw new Error(`module ${name} is not in the test kernel's modules.dep`);
    visit(path);
  }
  return order;
}

function moduleName(path: string): string {
  return (path.split('/').pop() ?? '').replace(/\.ko(\.\w+)?$/, '');
}

/** Boots the test kernel, runs `command`, powers off; resolves with what it reported. */
export async function runOnTestKernel(opts: VmOptions): Promise<VmResult> {
  const kernel = await findTestKernel();
  const work = await mkdtemp(join(tmpdir(), 'ballast-vm-'));
  try {
    const out = join(work, 'out');
    await mkdir(out);
    const initrd = await buildInitramfs(work, kernel, opts);
    const { exitCode, console } = await boot(kernel.vmlinuz, initrd, out, opts);
    const files: Record<string, string> = {};
    for (const name of await readdir(out)) files[name] = await readFile(join(out, name), 'utf8');
    return { exitCode, console, files };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

const EXIT_MARK = 'BALLAST-VM-EXIT';

async function buildInitramfs(work: string, kernel: { modules: string }, opts: VmOptions): Promise<string> {
  const root = join(work, 'initramfs');
  for (const d of ['bin', 'sbin', 'lib/modules', 'm', 'proc', 'sys', 'dev', 'lower', 'rw', 'host', 'out']) {
    await mkdir(join(root, d), { recursive: true });
  }
  await copyFile(BUSYBOX, join(root, 'bin', 'busybox'));
  await chmod(join(root, 'bin', 'busybox'), 0o755);
  await symlink('busybox', join(root, 'bin', 'sh'));
  // The kernel's module loader (`/proc/sys/kernel/modprobe`) runs in this root, not the chroot:
  // busybox's modprobe, reading the test kernel's tree mounted at /lib/modules.
  await symlink('../bin/busybox', join(root, 'sbin', 'modprobe'));
  const order = loadOrder(await readFile(join(kernel.modules, 'modules.dep'), 'utf8'), BOOT_MODULES);
  const insmods: string[] = [];
  for (const rel of order) {
    const file = rel.split('/').pop() as string;
    await copyFile(join(kernel.modules, rel), join(root, 'm', file));
    insmods.push(`/bin/busybox insmod /m/${file} || fail "insmod ${file}"`);
  }
  const env = Object.entries({
    PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    HOME: '/root',
    ...opts.env,
  })
    .map(([k, v]) => `export ${k}=${shellQuote(v)}`)
    .join('\n');
  const init = `#!/bin/sh
bb=/bin/busybox
fail() { echo "guest: $1 failed"; echo "${EXIT_MARK} 125"; $bb poweroff -f; }
$bb mount -t proc proc /proc
$bb mount -t sysfs sys /sys
$bb mount -t devtmpfs dev /dev
${insmods.join('\n')}
$bb mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=524288 host /lower || fail "mount of the host's root"
$bb mount -t 9p -o trans=virtio,version=9p2000.L,msize=524288 out /out || fail "mount of /out"
$bb mount -t tmpfs rw /rw
$bb mkdir -p /rw/upper /rw/work
$bb mount -t overlay overlay -o lowerdir=/lower,upperdir=/rw/upper,workdir=/rw/work /host || fail "overlay root"
$bb mount -o bind /lower${join(TEST_KERNEL_DIR, 'lib', 'modules')} /lib/modules || fail "bind of the module tree"
echo /sbin/modprobe > /proc/sys/kernel/modprobe
$bb mount -t proc proc /host/proc
$bb mount -t sysfs sys /host/sys
$bb mount -o bind /dev /host/dev
$bb mkdir -p /host/dev/shm /host/dev/pts /host/out
$bb mount -t tmpfs shm /host/dev/shm
# /run gets a tmpfs of its own: the host's (its netns files among them) means nothing here. /tmp stays the
# overlay's (writable, and a checkout under /tmp, as in CI's clean clone, stays visible).
$bb mount -t tmpfs run /host/run
$bb mount -o bind /out /host/out
$bb chroot /host /bin/sh -c ${shellQuote(`${env}\nip link set lo up\ncd ${shellQuote(opts.cwd)} && ${opts.command}`)} < /dev/null
echo "${EXIT_MARK} $?"
$bb sync
$bb poweroff -f
`;
  await writeFile(join(root, 'init'), init, { mode: 0o755 });
  const initrd = join(work, 'initrd.cpio');
  await run('/bin/sh', [
    '-c',
    `cd ${shellQuote(root)} && find . | ${BUSYBOX} cpio -o -H newc > ${shellQuote(initrd)}`,
  ]);
  return initrd;
}

function boot(
  vmlinuz: string,
  initrd: string,
  out: string,
  opts: VmOptions,
): Promise<{ exitCode: number | null; console: string }> {
  // TCG (software emulation), not KVM: nested KVM in this Firecracker VM takes the device and
  // then spins. A guest boots in about 4 s under TCG and Node starts in about 2.5 s.
  const args = [
    '-accel',
    process.env.BALLAST_TEST_VM_ACCEL ?? 'tcg,thread=multi',
    '-cpu',
    'max',
    '-m',
    String(opts.memoryMiB ?? 2048),
    '-smp',
    String(opts.cpus ?? 2),
    '-nodefaults',
    '-display',
    'none',
    '-serial',
    'stdio',
    '-no-reboot',
    '-kernel',
    vmlinuz,
    '-initrd',
    initrd,
    '-append',
    'console=ttyS0 quiet loglevel=3 panic=-1',
    '-virtfs',
    'local,path=/,mount_tag=host,security_model=none,readonly=on,multidevs=remap',
    '-virtfs',
    `local,path=${out},mount_tag=out,security_model=none`,
  ];
  return new Promise((resolve, reject) => {
    let child: ChildProcess;
    try {
      child = spawn(QEMU, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (err) {
      reject(err);
      return;
    }
    // A test runner that exits (a test timeout) must not leave the guest running.
    const killOnExit = () => {
      if (child.pid !== undefined && child.exitCode === null) process.kill(child.pid, 'SIGKILL');
    };
    process.once('exit', killOnExit);
    let text = '';
    const take = (d: Buffer) => {
      text += d.toString('utf8');
    };
    child.stdout?.on('data', take);
    child.stderr?.on('data', take);
    const timer = setTimeout(() => {
      text += `\n[host: the guest did not finish in ${opts.timeoutMs} ms and was killed]\n`;
      if (child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
    }, opts.timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`${QEMU} could not start (${err.message}): install qemu-system-x86 (.ci/run does)`));
    });
    child.on('close', () => {
      clearTimeout(timer);
      process.off('exit', killOnExit);
      const mark = [...text.matchAll(new RegExp(`${EXIT_MARK} (\\d+)`, 'g'))].pop();
      resolve({ exitCode: mark ? Number(mark[1]) : null, console: text.replace(/\r/g, '') });
    });
  });
}

function run(cmd: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`${cmd} exited ${code}: ${err}`)),
    );
  });
}

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}
