/** The JSON reporter: the counts, the full results, the key order, and a lossless round trip. */
import { describe, expect, it } from 'vitest';
import { hostile, mixedRun, passing, RUN_STARTED_AT, runOf, skippedHeartbeat } from './fixtures.ts';
import { jsonReport, summaryJson } from './json.ts';

describe('jsonReport', () => {
  it('counts each status and the skipped checks', () => {
    const counted = (status: string) => mixedRun.results.filter((r) => r.status === status).length;
    expect(summaryJson(mixedRun)).toMatchObject({
      passed: counted('pass'),
      degraded: counted('degraded'),
      failed: counted('fail'),
      skipped: mixedRun.skipped.length,
      startedAt: RUN_STARTED_AT,
      durationMs: mixedRun.durationMs,
    });
  });

  it('keys its document in the documented order', () => {
    expect(Object.keys(JSON.parse(jsonReport(mixedRun)))).toEqual([
      'passed',
      'degraded',
      'failed',
      'skipped',
      'startedAt',
      'durationMs',
      'results',
      'skippedChecks',
    ]);
  });

  it.each([
    { name: 'a mixed run', run: mixedRun },
    {
      name: 'a run with markup, control characters and a lone surrogate in its texts',
      run: runOf([hostile]),
    },
    { name: 'an empty run', run: runOf([], [], 0) },
  ])('round-trips $name: parsing the text gives back the summary object', ({ run }) => {
    const text = jsonReport(run);
    expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(summaryJson(run))));
  });

  it('carries every field of every result and every skipped check unchanged', () => {
    const parsed = JSON.parse(jsonReport(mixedRun));
    expect(parsed.results).toEqual(mixedRun.results);
    expect(parsed.skippedChecks).toEqual([skippedHeartbeat]);
  });

  it('escapes what JSON must, so the text stays one valid document', () => {
    const text = jsonReport(runOf([hostile]));
    // biome-ignore lint/suspicious/noControlCharactersInRegex: raw control characters are what must not appear
    expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f]/);
    expect(JSON.parse(text).results[0].error.message).toBe(hostile.error!.message);
  });

  it('is indented and ends with a newline, for files and diffs', () => {
    const text = jsonReport(runOf([passing]));
    expect(text.startsWith('{\n  "passed": 1,')).toBe(true);
    expect(text.endsWith('}\n')).toBe(true);
  });

  it('does not share its arrays with the run it was made from', () => {
    const run = runOf([passing]);
    const summary = summaryJson(run);
    summary.results.push(hostile);
    expect(run.results).toEqual([passing]);
  });
});
