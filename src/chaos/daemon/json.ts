/**
 * The daemon's JSON shapes: Toxiproxy's for proxies and toxics (a toxic gains
 * `lease` only when it has one), snake_case Ballast shapes for leases.
 */
import type { Lease } from '../lease/index.ts';
import type { ProxyInfo, TcpProxy, Toxic } from '../proxy/index.ts';
import type { FaultRef } from './registry.ts';

/** A toxic as Toxiproxy shows it, plus `lease` when bound to one. */
export interface ToxicJson {
  name: string;
  type: Toxic['type'];
  stream: Toxic['stream'];
  toxicity: number;
  attributes: Record<string, number | string>;
  lease?: string;
}

/** A proxy as Toxiproxy shows it. */
export interface ProxyJson {
  name: string;
  listen: string;
  upstream: string;
  enabled: boolean;
  toxics: ToxicJson[];
}

export interface LeaseJson {
  id: string;
  holder: string;
  ttl_ms: number;
  /** ISO 8601, UTC. */
  expires_at: string;
}

export interface LeaseWithFaultsJson extends LeaseJson {
  faults: FaultRef[];
}

export function toxicJson(t: Toxic): ToxicJson {
  const out: ToxicJson = {
    name: t.name,
    type: t.type,
    stream: t.stream,
    toxicity: t.toxicity,
    attributes: { ...t.attributes },
  };
  if (t.lease !== undefined) out.lease = t.lease;
  return out;
}

export function proxyJson(p: TcpProxy | ProxyInfo): ProxyJson {
  const info = 'info' in p ? p.info() : p;
  return {
    name: info.name,
    listen: info.listen,
    upstream: info.upstream,
    enabled: info.enabled,
    toxics: info.toxics.map(toxicJson),
  };
}

export function leaseJson(l: Lease): LeaseJson {
  return { id: l.id, holder: l.holder, ttl_ms: l.ttlMs, expires_at: new Date(l.expiresAt).toISOString() };
}
