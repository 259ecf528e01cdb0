import { describe, expect, it } from 'vitest';
import { parseMemAvailable } from './stress.ts';

describe('parseMemAvailable', () => {
  it('reads MemAvailable in bytes', () => {
    const meminfo = 'MemTotal:        4025412 kB\nMemFree:          120000 kB\nMemAvailable:    2048000 kB\n';
    expect(parseMemAvailable(meminfo)).toBe(2048000 * 1024);
  });

  it('a kernel that does not report it gives undefined', () => {
    expect(parseMemAvailable('MemTotal: 1 kB\n')).toBeUndefined();
  });
});
