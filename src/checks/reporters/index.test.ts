/** The reporters by format name: each renders the same run and names every check. */
import { describe, expect, it } from 'vitest';
import { mixedRun } from './fixtures.ts';
import { githubReport, jsonReport, junitReport, listReport, REPORT_FORMATS, REPORTERS } from './index.ts';

describe('REPORTERS', () => {
  it('has a reporter for each format name', () => {
    expect(REPORT_FORMATS).toEqual(['list', 'json', 'junit', 'github']);
  });

  it.each([
    { format: 'list' as const, render: listReport },
    { format: 'json' as const, render: jsonReport },
    { format: 'junit' as const, render: junitReport },
    { format: 'github' as const, render: githubReport },
  ])('the $format reporter is the $format function, list without colour', ({ format, render }) => {
    expect(REPORTERS[format](mixedRun)).toBe(render(mixedRun));
  });

  it.each(REPORT_FORMATS.filter((f) => f !== 'github'))(
    'the %s report names every check it was given',
    (format) => {
      const text = REPORTERS[format](mixedRun);
      for (const name of [...mixedRun.results.map((r) => r.check), ...mixedRun.skipped.map((s) => s.check)]) {
        expect(text).toContain(name);
      }
    },
  );
});
