/**
 * One request through the proxy: decide, wait out a delay, then abort, reset
 * or forward (streaming both bodies), with the counters kept on the way.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Dispatcher, Pool } from 'undici';
import type { Random } from './decide.ts';
import {
  type ClientSide,
  clientResponseHeaders,
  FAULT_HEADER,
  upstreamRequestHeaders,
  viaEntry,
} from './headers.ts';
import type { RequestView } from './match.ts';
import type { RuleTable } from './rules.ts';
import type { HttpAbort } from './schema.ts';
import { classifyUpstreamError, failureBody, headersDeadline } from './upstream.ts';
import { wait } from './wait.ts';

/** The mutable counters of a proxy (rule counters live in the rule table). */
export interface ProxyCounts {
  requests: number;
  injected: number;
  upstreamErrors: number;
  upstreamTimeouts: number;
  clientAborts: number;
}

/** What every exchange of one proxy shares. */
export interface ProxyContext {
  name: string;
  upstream: string;
  timeoutMs: number;
  pool: Pool;
  rules: RuleTable;
  random: Random;
  counts: ProxyCounts;
  /** One controller per request in flight; aborting one ends its waits and its upstream request. */
  inFlight: Set<AbortController>;
  /** Set while closing, so requests cut by close() are not counted as client aborts. */
  closing: boolean;
}

/** Handles one request; never throws (every failure becomes a response or a closed connection). */
export async function exchange(ctx: ProxyContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  ctx.counts.requests++;
  const client = new AbortController();
  ctx.inFlight.add(client);
  /** The proxy, not the client, ended the connection (a reset rule, or an upstream that broke). */
  let cutByUs = false;
  const cut = () => {
    cutByUs = true;
  };
  // The failure surfaces through `close`; without listeners these errors would be thrown.
  req.on('error', () => {});
  res.on('error', () => {});
  res.on('close', () => {
    ctx.inFlight.delete(client);
    if (!res.writableFinished && !cutByUs && !ctx.closing) ctx.counts.clientAborts++;
    client.abort();
  });

  const path = originForm(req.url ?? '/');
  const side: ClientSide = {
    remoteAddress: req.socket.remoteAddress,
    httpVersion: req.httpVersion,
    proxyName: ctx.name,
  };
  const view: RequestView = {
    method: req.method ?? 'GET',
    path: path.replace(/[?#].*$/s, ''),
    headers: req.headers,
  };
  const decision = ctx.rules.decide(view, ctx.random);
  if (decision === undefined) return forward(ctx, req, res, { path, side, signal: client.signal, cut });

  ctx.counts.injected++;
  const { plan, removed } = decision;
  if (plan.delayMs > 0) {
    const end = await wait(plan.delayMs, client.signal, removed);
    if (end === 'client') return;
  }
  // A rule removed while the request waited takes its remaining faults with it.
  const outcome = removed.aborted ? { kind: 'forward' as const, responseDelayMs: 0 } : plan.outcome;
  if (outcome.kind === 'abort') return sendAbort(res, outcome.abort, plan.ruleId, side, view.method);
  if (outcome.kind === 'reset') {
    cutByUs = true;
    // An RST rather than a FIN, as Toxiproxy's reset_peer: the client sees ECONNRESET.
    req.socket.resetAndDestroy();
    return;
  }
  return forward(ctx, req, res, {
    path,
    side,
    signal: client.signal,
    ruleId: plan.ruleId,
    responseDelayMs: outcome.responseDelayMs,
    removed,
    cut,
  });
}

interface ForwardOptions {
  path: string;
  side: ClientSide;
  signal: AbortSignal;
  /** The rule that fired, for the response header. */
  ruleId?: string;
  responseDelayMs?: number;
  removed?: AbortSignal;
  /** Marks the response as cut by the proxy because the upstream broke it (not a client abort). */
  cut: () => void;
}

async function forward(ctx: ProxyContext, req: IncomingMessage, res: ServerResponse, o: ForwardOptions) {
  // Streamed, never buffered; no body at all for requests without one, so a GET stays a GET.
  const requestBody = hasBody(req) ? req : null;
  const deadline = headersDeadline(requestBody, ctx.timeoutMs);
  let up: Dispatcher.ResponseData;
  try {
    up = await ctx.pool.request({
      method: (req.method ?? 'GET') as Dispatcher.HttpMethod,
      path: o.path,
      headers: upstreamRequestHeaders(req.rawHeaders, o.side),
      body: requestBody,
      signal: AbortSignal.any([o.signal, deadline.signal]),
    });
  } catch (err) {
    if (!o.signal.aborted)
      failUpstream(ctx, res, deadline.signal.aborted ? deadline.signal.reason : err, o.side);
    return;
  } finally {
    deadline.clear();
  }
  const body = up.body;
  let brokenEarly: unknown;
  // pipe, not pipeline: an upstream failure must be told apart from a client leaving, and
  // pipeline would destroy the response first, making both look like a client abort.
  body.on('error', (err) => {
    if (o.signal.aborted) return;
    if (!res.headersSent) {
      brokenEarly ??= err; // during a response delay: answered with a 502 once it ends
      return;
    }
    o.cut();
    count(ctx, err);
    // Headers are out: all that is left is to cut the connection, so the client sees an incomplete body.
    res.destroy();
  });
  res.on('close', () => body.destroy());
  if (o.responseDelayMs !== undefined && o.responseDelayMs > 0) {
    const end = await wait(o.responseDelayMs, o.signal, o.removed);
    if (end === 'client') return;
  }
  if (brokenEarly !== undefined) return failUpstream(ctx, res, brokenEarly, o.side);
  res.writeHead(up.statusCode, clientResponseHeaders(up.headers, o.side, o.ruleId));
  body.pipe(res);
}

function failUpstream(ctx: ProxyContext, res: ServerResponse, err: unknown, side: ClientSide): void {
  const failure = count(ctx, err);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = failureBody(ctx.name, ctx.upstream, failure, ctx.timeoutMs);
  res.writeHead(failure.status, {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    via: viaEntry(side),
  });
  res.end(body);
}

function count(ctx: ProxyContext, err: unknown) {
  const failure = classifyUpstreamError(err);
  if (failure.kind === 'timeout') ctx.counts.upstreamTimeouts++;
  else ctx.counts.upstreamErrors++;
  return failure;
}

function sendAbort(res: ServerResponse, abort: HttpAbort, ruleId: string, side: ClientSide, method: string) {
  const headers: Record<string, string | number> = { ...abort.headers };
  const bodyless = abort.status === 204 || abort.status === 304;
  const body = bodyless ? '' : (abort.body ?? `fault injected by ballast rule "${ruleId}"\n`);
  if (!bodyless) {
    if (!Object.keys(headers).some((k) => k.toLowerCase() === 'content-type')) {
      headers['content-type'] = 'text/plain; charset=utf-8';
    }
    headers['content-length'] = Buffer.byteLength(body);
  }
  headers.via = viaEntry(side);
  headers[FAULT_HEADER] = ruleId;
  res.writeHead(abort.status, headers);
  res.end(method === 'HEAD' ? undefined : body);
}

/** A request has a body when it declares one (HTTP/1.1 framing, RFC 9112 §6.3). */
function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/** `http://host/p?q` (absolute form, sent to proxies) → `/p?q`; origin form unchanged. */
function originForm(url: string): string {
  if (!/^https?:\/\//i.test(url)) return url.startsWith('/') ? url : `/${url === '*' ? '' : url}`;
  const u = new URL(url);
  return `${u.pathname}${u.search}`;
}
