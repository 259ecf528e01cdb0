/**
 * The iteration source: each call to `next()` picks a request (by weight),
 * fills its placeholders and returns the bytes to send. Templates without
 * placeholders are built once and their buffers reused on every call.
 */
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { buildRequest, type PreparedRequest } from '../http/index.ts';
import type { LoadPlan, RequestTemplate, VariableSource } from '../types.ts';
import { readDataFile } from './data.ts';
import { splitTemplate, type TemplatePart } from './placeholders.ts';

/** One iteration's work. The object is reused by the source: read it before the next `next()`. */
export interface Iteration {
  template: RequestTemplate;
  request: PreparedRequest;
}

export interface IterationSource {
  next(): Iteration;
}

/** Draws one value (or one row) per iteration. */
interface Generator {
  draw(): string | Record<string, string>;
}

interface Compiled {
  template: RequestTemplate;
  /** Set for templates without placeholders: the one record every pick returns. */
  fixed?: Iteration;
  url: TemplatePart[];
  headers: [string, TemplatePart[]][];
  body?: TemplatePart[];
  /** Indexes (into the generator list) of the variables this template uses. */
  uses: number[];
}

/**
 * Builds the source for one worker. Sequences and sequential data rows are
 * striped across workers (worker i of n takes i, i+n, i+2n, ...) so values
 * stay unique across the whole run. Throws on unreadable data files (the
 * loader has already reported them as diagnostics).
 */
export async function createIterationSource(
  plan: LoadPlan,
  worker: { index: number; count: number },
  baseDir: string,
  random: () => number = Math.random,
): Promise<IterationSource> {
  const names = plan.variables.map((v) => v.name);
  const generators = plan.variables.map((v) => generator(v, worker, baseDir, random));
  const keepAlive = plan.http.keepAlive;
  const compiled = plan.requests.map((t) => compile(t, names, keepAlive));
  const cumulative = new Float64Array(compiled.length);
  let sum = 0;
  compiled.forEach((c, i) => {
    sum += c.template.weight;
    cumulative[i] = sum;
  });
  const values: (string | Record<string, string>)[] = new Array(generators.length).fill('');
  const record: Iteration = {
    template: plan.requests[0] as RequestTemplate,
    request: undefined as unknown as PreparedRequest,
  };
  const pickIndex = (): number => {
    if (compiled.length === 1) return 0;
    const x = random() * sum;
    let i = 0;
    while (i < cumulative.length - 1 && (cumulative[i] as number) <= x) i++;
    return i;
  };
  return {
    next(): Iteration {
      const c = compiled[pickIndex()] as Compiled;
      if (c.fixed) return c.fixed;
      for (const u of c.uses) values[u] = (generators[u] as Generator).draw();
      const headers: Record<string, string> = {};
      // CR/LF from data would break the request framing: a header value stays one line.
      for (const [name, parts] of c.headers)
        headers[name] = render(parts, names, values).replace(/[\r\n]+/g, ' ');
      record.template = c.template;
      record.request = buildRequest({
        method: c.template.method,
        url: render(c.url, names, values),
        headers,
        ...(c.body ? { body: render(c.body, names, values) } : {}),
        keepAlive,
      });
      return record;
    },
  };
}

function compile(t: RequestTemplate, names: string[], keepAlive: boolean): Compiled {
  const uses = new Set<number>();
  // Placeholders naming no variable stay literal text: the loader refuses them in
  // specs, and the CLI's quick form has no variables, so `${x}` there is meant as written.
  const split = (text: string): TemplatePart[] =>
    splitTemplate(text).map((p) => {
      if (typeof p === 'string') return p;
      const i = names.indexOf(p.variable);
      if (i < 0) return `\${${p.variable}${p.field === undefined ? '' : `.${p.field}`}}`;
      uses.add(i);
      return p;
    });
  const url = split(t.url);
  const headers = Object.entries(t.headers).map(([k, v]) => [k, split(v)] as [string, TemplatePart[]]);
  const body = t.body === undefined ? undefined : split(t.body);
  const c: Compiled = { template: t, url, headers, uses: [...uses] };
  if (body) c.body = body;
  if (uses.size === 0) {
    const req = { method: t.method, url: t.url, headers: t.headers, keepAlive };
    c.fixed = { template: t, request: buildRequest(t.body === undefined ? req : { ...req, body: t.body }) };
  }
  return c;
}

function render(parts: TemplatePart[], names: string[], values: (string | Record<string, string>)[]): string {
  let out = '';
  for (const p of parts) {
    if (typeof p === 'string') out += p;
    else {
      const v = values[names.indexOf(p.variable)];
      out += typeof v === 'string' ? v : (v?.[p.field ?? ''] ?? '');
    }
  }
  return out;
}

function generator(
  v: VariableSource,
  worker: { index: number; count: number },
  baseDir: string,
  random: () => number,
): Generator {
  switch (v.kind) {
    case 'sequence': {
      let next = v.start + worker.index;
      return {
        draw: () => {
          const value = String(next);
          next += worker.count;
          return value;
        },
      };
    }
    case 'randomInt':
      return { draw: () => String(v.min + Math.floor(random() * (v.max - v.min + 1))) };
    case 'uuid':
      return { draw: () => randomUUID() };
    default: {
      const data = readDataFile(resolve(baseDir, v.file), v.kind);
      if (!data.ok) throw new Error(`variable "${v.name}": ${data.error}`);
      const rows = data.rows;
      if (v.order === 'random')
        return { draw: () => rows[Math.floor(random() * rows.length)] as Record<string, string> };
      let k = worker.index;
      return {
        draw: () => {
          const row = rows[k % rows.length] as Record<string, string>;
          k += worker.count;
          return row;
        },
      };
    }
  }
}
