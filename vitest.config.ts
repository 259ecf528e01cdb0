import { defineConfig } from 'vitest/config';

/**
 * Tests whose numbers depend on the machine keeping a schedule (load generation
 * at a target rate, the stall accuracy check, capacity steps). They run after
 * everything else and one file at a time, so Chromium, PostgreSQL and the
 * other suites do not steal the cores their generator needs.
 */
const TIMING = [
  'src/load/engine/run.test.ts',
  'test/load-*.test.ts',
  // A software-emulated guest keeps both cores busy for a minute and a half, and measures delays.
  'test/chaos-host-netem-kernel.test.ts',
];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Integration tests start servers and databases; two cores do not take many at once.
    maxWorkers: 2,
    reporters: ['default', './test/helpers/summary-reporter.ts'],
    projects: [
      {
        extends: true,
        test: {
          name: 'main',
          include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'web/**/*.test.ts'],
          exclude: [...TIMING, '**/node_modules/**'],
        },
      },
      {
        extends: true,
        test: {
          name: 'timing',
          include: TIMING,
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
