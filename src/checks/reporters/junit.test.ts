/**
 * The JUnit reporter: its output parsed by a strict little XML reader
 * written here (well-formedness: balanced tags, quoted attributes, no raw
 * `<` or `&` in text, only characters XML 1.0 allows), then by Chromium's
 * real XML parser for the hostile case; the suites, test cases, failures,
 * degraded notes and skipped checks it describes.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../runners/browser.ts';
import type { CheckResult } from '../types.ts';
import { plainLines, resultDetails } from './details.ts';
import {
  degraded,
  failingConditions,
  failingError,
  HOSTILE_BODY,
  hostile,
  mixedRun,
  multistepFailing,
  passing,
  RUN_STARTED_AT,
  runOf,
  skippedHeartbeat,
} from './fixtures.ts';
import { junitReport, NO_SERVICE_SUITE, xmlAttribute, xmlText } from './junit.ts';
import { cappedText, firstLine, visibleControls } from './text.ts';

// ── a strict reader for the XML subset the reporter writes ───────────────────

interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  /** The element's own text, references decoded. */
  text: string;
}

/** XML 1.0 `Char`: tab, newline, carriage return and everything from space up, minus surrogates and U+FFFE/U+FFFF. */
function isXmlChar(code: number): boolean {
  return (
    code === 0x9 ||
    code === 0xa ||
    code === 0xd ||
    (code >= 0x20 && code <= 0xd7ff) ||
    (code >= 0xe000 && code <= 0xfffd) ||
    (code >= 0x10000 && code <= 0x10ffff)
  );
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const REFERENCE = /&(amp|lt|gt|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);/g;

function decodeReferences(raw: string, where: string): string {
  if (raw.replace(REFERENCE, '').includes('&')) throw new Error(`raw & in ${where}: ${raw}`);
  return raw.replace(REFERENCE, (_, ref: string) => {
    if (!ref.startsWith('#')) return ENTITIES[ref]!;
    const code = ref.startsWith('#x') ? Number.parseInt(ref.slice(2), 16) : Number.parseInt(ref.slice(1), 10);
    if (!isXmlChar(code)) throw new Error(`reference to a character XML forbids in ${where}: &${ref};`);
    return String.fromCodePoint(code);
  });
}

const NAME = '[A-Za-z_][A-Za-z0-9._:-]*';
const TOKEN = new RegExp(`</(${NAME})>|<(${NAME})((?:\\s+${NAME}="[^"]*")*)\\s*(/?)>|([^<]+)`, 'y');
const ATTRIBUTE = new RegExp(`(${NAME})="([^"]*)"`, 'g');
const PROLOG = '<?xml version="1.0" encoding="UTF-8"?>\n';

/** Parses `xml` or throws saying what is wrong with it. */
function parseXml(xml: string): XmlElement {
  for (const char of xml) {
    const code = char.codePointAt(0)!;
    if (!isXmlChar(code)) throw new Error(`character U+${code.toString(16)} is not allowed in XML`);
  }
  if (!xml.startsWith(PROLOG)) throw new Error('no XML declaration');
  // Parsers normalise line ends before anything else.
  const doc = xml.slice(PROLOG.length).replace(/\r\n?/g, '\n');
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < doc.length) {
    const at = TOKEN.lastIndex;
    const m = TOKEN.exec(doc);
    if (!m) throw new Error(`malformed markup at ${at}: ${doc.slice(at, at + 40)}`);
    const [, closing, opening, attrText, selfClosing, text] = m;
    const parent = stack.at(-1);
    if (text !== undefined) {
      if (text.includes(']]>')) throw new Error(`]]> in text at ${at}`);
      if (!parent) {
        if (text.trim() !== '') throw new Error(`text outside the root element at ${at}`);
        continue;
      }
      parent.text += decodeReferences(text, `text at ${at}`);
    } else if (closing !== undefined) {
      const open = stack.pop();
      if (open?.name !== closing)
        throw new Error(`</${closing}> closes <${open?.name ?? 'nothing'}> at ${at}`);
    } else {
      const element: XmlElement = { name: opening!, attrs: {}, children: [], text: '' };
      for (const [, name, raw] of (attrText ?? '').matchAll(ATTRIBUTE)) {
        if (name! in element.attrs) throw new Error(`attribute ${name} twice on <${opening}>`);
        if (raw!.includes('<')) throw new Error(`raw < in attribute ${name}`);
        // Attribute-value normalisation: literal whitespace becomes spaces, references keep what they say.
        element.attrs[name!] = decodeReferences(raw!.replace(/[\t\n]/g, ' '), `attribute ${name}`);
      }
      if (parent) parent.children.push(element);
      else if (root) throw new Error('a second root element');
      else root = element;
      if (selfClosing !== '/') stack.push(element);
    }
  }
  if (stack.length > 0) throw new Error(`<${stack.at(-1)!.name}> is never closed`);
  if (!root) throw new Error('no root element');
  return root;
}

function only(parent: XmlElement, name: string): XmlElement {
  const found = parent.children.filter((c) => c.name === name);
  expect(found, `<${parent.name}> has one <${name}>`).toHaveLength(1);
  return found[0]!;
}

function testcase(doc: XmlElement, check: string): XmlElement {
  const cases = doc.children.flatMap((suite) => suite.children).filter((c) => c.attrs.name === check);
  expect(cases, `one test case named ${check}`).toHaveLength(1);
  return cases[0]!;
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}

describe('the strict XML reader used by these tests', () => {
  it.each([
    { name: 'a raw ampersand in text is rejected', xml: `${PROLOG}<a>fish & chips</a>`, error: /raw &/ },
    { name: 'a raw less-than in text is rejected', xml: `${PROLOG}<a>1 < 2</a>`, error: /malformed markup/ },
    { name: 'a raw less-than in an attribute is rejected', xml: `${PROLOG}<a b="<"/>`, error: /raw </ },
    { name: 'an unclosed element is rejected', xml: `${PROLOG}<a><b></a>`, error: /closes <b>/ },
    { name: 'an element never closed is rejected', xml: `${PROLOG}<a><b/>`, error: /never closed/ },
    { name: 'an unquoted attribute is rejected', xml: `${PROLOG}<a b=c/>`, error: /malformed markup/ },
    { name: 'an escape character is rejected', xml: `${PROLOG}<a>\x1b[2J</a>`, error: /U\+1b/ },
    { name: 'a reference to NUL is rejected', xml: `${PROLOG}<a>&#0;</a>`, error: /forbids/ },
    { name: 'a lone surrogate is rejected', xml: `${PROLOG}<a>\ud800</a>`, error: /U\+d800/ },
    { name: 'a second root is rejected', xml: `${PROLOG}<a/><b/>`, error: /second root/ },
    { name: 'a missing declaration is rejected', xml: '<a/>', error: /declaration/ },
  ])('$name', ({ xml, error }) => {
    expect(() => parseXml(xml)).toThrow(error);
  });

  it('reads back elements, attributes and decoded text', () => {
    const doc = parseXml(`${PROLOG}<a x="1 &amp; &#10;2"><b>&lt;ok&gt;&#13;</b>\n</a>\n`);
    expect(doc.attrs).toEqual({ x: '1 & \n2' });
    expect(only(doc, 'b').text).toBe('<ok>\r');
  });
});

// ── escaping ───────────────────────────────────────────────────────────────

describe('xmlText and xmlAttribute', () => {
  it.each([
    { name: 'markup characters become entities', text: 'a<b>&c', out: 'a&lt;b&gt;&amp;c' },
    { name: 'quotes stay as they are in text', text: `"'`, out: `"'` },
    { name: 'a carriage return survives as a reference', text: 'a\r\nb', out: 'a&#13;\nb' },
    {
      name: 'control characters XML cannot carry are written out',
      text: '\x1b\u0000\u0008',
      out: '\\x1B\\x00\\x08',
    },
    { name: 'a lone surrogate becomes U+FFFD', text: '\udfff', out: '\uFFFD' },
  ])('text: $name', ({ text, out }) => {
    expect(xmlText(text)).toBe(out);
  });

  it.each([
    { name: 'quotes become entities', text: `say "hi" it's`, out: 'say &quot;hi&quot; it&apos;s' },
    { name: 'newlines and tabs survive as references', text: 'a\n\tb\r', out: 'a&#10;&#9;b&#13;' },
    { name: 'markup characters become entities', text: '<&>', out: '&lt;&amp;&gt;' },
  ])('attribute: $name', ({ text, out }) => {
    expect(xmlAttribute(text)).toBe(out);
  });
});

// ── the report ─────────────────────────────────────────────────────────────

describe('junitReport', () => {
  const doc = parseXml(junitReport(mixedRun));

  it('is one <testsuites> counting every check, the failures and the skipped', () => {
    expect(doc.name).toBe('testsuites');
    expect(doc.attrs).toMatchObject({
      tests: String(mixedRun.results.length + mixedRun.skipped.length),
      failures: String(mixedRun.results.filter((r) => r.status === 'fail').length),
      errors: '0',
      skipped: String(mixedRun.skipped.length),
      time: seconds(mixedRun.durationMs),
      timestamp: new Date(RUN_STARTED_AT).toISOString().replace('.000Z', 'Z'),
    });
  });

  it('has one <testsuite> per service, in the order services first appear, with their own counts', () => {
    const suites = doc.children.map((s) => ({
      name: s.attrs.name,
      tests: s.attrs.tests,
      failures: s.attrs.failures,
      skipped: s.attrs.skipped,
    }));
    const of = (service: string) => mixedRun.results.filter((r) => r.service === service);
    expect(suites).toEqual([
      { name: 'payments', tests: String(of('payments').length), failures: '1', skipped: '0' },
      { name: 'rides', tests: String(of('rides').length + 1), failures: '2', skipped: '1' },
    ]);
    for (const suite of doc.children) {
      expect(suite.name).toBe('testsuite');
      expect(suite.children.map((c) => c.attrs.classname)).toEqual(
        suite.children.map(() => suite.attrs.name),
      );
      const total = of(suite.attrs.name!).reduce((sum, r) => sum + r.durationMs, 0);
      expect(suite.attrs.time).toBe(seconds(total));
    }
  });

  it.each<{ name: string; result: CheckResult }>([
    { name: 'a passing check is a test case with its time', result: passing },
    { name: 'a degraded check is a test case with its time', result: degraded },
    { name: 'a failing check is a test case with its time', result: failingError },
  ])('$name', ({ result }) => {
    expect(testcase(doc, result.check).attrs).toEqual({
      classname: result.service,
      name: result.check,
      time: seconds(result.durationMs),
    });
  });

  it('a passing check has nothing inside its test case', () => {
    expect(testcase(doc, passing.check).children).toEqual([]);
  });

  it('a degraded check passes, with the degraded condition in <system-out>', () => {
    const c = testcase(doc, degraded.check);
    expect(c.children.map((e) => e.name)).toEqual(['system-out']);
    expect(only(c, 'system-out').text).toBe(`degraded: ${degraded.reason}`);
  });

  it.each<{ name: string; result: CheckResult; type: string; lines: string[] }>([
    {
      name: 'a check failing conditions fails with the reason as message and every failing condition as shown',
      result: failingConditions,
      type: 'condition',
      lines: [
        failingConditions.reason!,
        ...failingConditions.conditions.filter((c) => !c.ok).map((c) => `✗ ${c.shown}`),
        'attempts: 3',
      ],
    },
    {
      name: 'a check failing with an error fails with the error kind as type',
      result: failingError,
      type: 'connect',
      lines: [failingError.reason!, `✗ ${failingError.conditions[0]!.shown}`],
    },
    {
      name: 'a multistep check failing a step fails with its steps in the text',
      result: multistepFailing,
      type: 'step',
      lines: [
        multistepFailing.reason!,
        'steps:',
        '  ✓ home 200 12 ms',
        '  ✗ login 401 30 ms',
        `    ✗ ${multistepFailing.steps![1]!.failed![0]!.shown}`,
      ],
    },
  ])('$name', ({ result, type, lines }) => {
    const failure = only(testcase(doc, result.check), 'failure');
    expect(failure.attrs).toEqual({ message: result.reason, type });
    expect(failure.text.split('\n')).toEqual(lines);
  });

  it('a skipped heartbeat is a skipped test case in its service’s suite, saying why', () => {
    const c = testcase(doc, skippedHeartbeat.check);
    expect(c.attrs).toEqual({
      classname: skippedHeartbeat.service,
      name: skippedHeartbeat.check,
      time: '0.000',
    });
    expect(only(c, 'skipped').attrs).toEqual({ message: skippedHeartbeat.reason });
  });

  it('a skipped check of unknown service gets a suite of its own', () => {
    const run = runOf([passing], [{ check: 'orphan', reason: 'no runner' }]);
    const suites = parseXml(junitReport(run)).children;
    expect(suites.map((s) => s.attrs.name)).toEqual([passing.service, NO_SERVICE_SUITE]);
    expect(suites[1]!.attrs.timestamp).toBe(new Date(RUN_STARTED_AT).toISOString().replace('.000Z', 'Z'));
  });

  it('an empty run is a well-formed <testsuites> with no suites', () => {
    const empty = parseXml(junitReport(runOf([], [], 0)));
    expect(empty.attrs).toMatchObject({ tests: '0', failures: '0', skipped: '0' });
    expect(empty.children).toEqual([]);
  });

  describe('with markup, separators and control characters in names, reasons and bodies', () => {
    const xml = junitReport(runOf([hostile, passing]));
    const failureText = visibleControls(
      [cappedText(hostile.reason!), ...plainLines(resultDetails(hostile))].join('\n'),
      '\t\n\r',
    );

    it('stays well-formed and gives every value back exactly, control characters written out', () => {
      const c = testcase(parseXml(xml), hostile.check);
      expect(c.attrs.classname).toBe(hostile.service);
      const failure = only(c, 'failure');
      expect(failure.attrs.message).toBe(visibleControls(firstLine(hostile.reason!)));
      expect(failure.text).toBe(failureText);
      // Line ends are made \n; a \r that is not one would survive as &#13; (see xmlText).
      expect(failure.text).toContain('Error: boom <div> & "x"\nCall log:');
      expect(failure.text).toContain(visibleControls(HOSTILE_BODY));
      expect(failure.text).toContain('\\x1B[2J\\x00');
    });

    describe('read by Chromium’s XML parser', () => {
      let browser: Browser;
      beforeAll(async () => {
        browser = await launchChromium();
      });
      afterAll(async () => {
        await browser?.close();
      });

      it('parses without error and reads the same values', async () => {
        const page = await browser.newPage();
        const read = await page.evaluate((text) => {
          const parsed = new DOMParser().parseFromString(text, 'application/xml');
          const failure = parsed.querySelector('failure');
          return {
            errors: parsed.getElementsByTagName('parsererror').length,
            names: [...parsed.querySelectorAll('testcase')].map((c) => c.getAttribute('name')),
            classname: parsed.querySelector('testcase')?.getAttribute('classname'),
            message: failure?.getAttribute('message'),
            text: failure?.textContent,
          };
        }, xml);
        await page.close();
        expect(read).toEqual({
          errors: 0,
          names: [hostile.check, passing.check],
          classname: hostile.service,
          message: visibleControls(firstLine(hostile.reason!)),
          text: failureText,
        });
      });
    });
  });
});
