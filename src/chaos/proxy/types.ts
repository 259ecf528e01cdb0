/**
 * The TCP fault proxy's model, in Toxiproxy's vocabulary and JSON shapes: a
 * proxy (name, listen, upstream, enabled) holds toxics, each on one stream
 * (`upstream` = client→server, `downstream` = server→client).
 */

/** Every toxic type the proxy knows: Toxiproxy's TCP toxics plus Ballast's `loss`. */
export const TOXIC_TYPES = [
  'latency',
  'bandwidth',
  'slow_close',
  'timeout',
  'reset_peer',
  'slicer',
  'limit_data',
  'loss',
] as const;

export type ToxicType = (typeof TOXIC_TYPES)[number];

/** `upstream`: data from the client to the server; `downstream`: from the server to the client. */
export type Stream = 'upstream' | 'downstream';

/** The attributes of each toxic type, with Toxiproxy's names and units. */
export interface ToxicAttributesByType {
  /** Delays each chunk by `latency` ms ± `jitter` ms. */
  latency: { latency: number; jitter: number };
  /** Passes data at `rate` KB/s (1 KB = 1000 bytes, as Toxiproxy). */
  bandwidth: { rate: number };
  /** Delays the close (EOF) by `delay` ms. */
  slow_close: { delay: number };
  /** Drops all data and closes the connection after `timeout` ms (0: holds it open until the toxic goes). */
  timeout: { timeout: number };
  /** Resets the connection (TCP RST) `timeout` ms after the first data. */
  reset_peer: { timeout: number };
  /** Cuts data into slices of `average_size` ± `size_variation` bytes, `delay` µs apart. */
  slicer: { average_size: number; size_variation: number; delay: number };
  /** Closes the connection once `bytes` bytes have passed. */
  limit_data: { bytes: number };
  /**
   * Ballast: a share of new connections is closed at once (`drop`) or accepted and never
   * forwarded (`stall`). The share is `toxicity × probability` (probability defaults to 1).
   */
  loss: { mode: 'drop' | 'stall'; probability: number };
}

/** A toxic of one type, with its attributes. */
export type ToxicOf<T extends ToxicType> = {
  name: string;
  type: T;
  stream: Stream;
  /** The share of connections affected (0..1), decided per connection. */
  toxicity: number;
  attributes: ToxicAttributesByType[T];
  /** The fault lease this toxic is bound to (a Ballast extension); absent for plain Toxiproxy use. */
  lease?: string;
};

/** A toxic as the API shows it. */
export type Toxic = { [T in ToxicType]: ToxicOf<T> }[ToxicType];

/** What a proxy is configured with. */
export interface ProxyConfig {
  name: string;
  /** `host:port` to listen on; port 0 picks a free port. */
  listen: string;
  /** `host:port` to forward to, resolved at each connect. */
  upstream: string;
  enabled: boolean;
}

/** A proxy as the API shows it (Toxiproxy's shape). `listen` is the bound address once started. */
export interface ProxyInfo {
  name: string;
  listen: string;
  upstream: string;
  enabled: boolean;
  toxics: Toxic[];
}

/** Counters of one proxy, for the operator and the experiment journal. */
export interface ProxyStats {
  /** Client connections accepted. */
  connections_total: number;
  /** Connections open now (forwarded or stalled). */
  connections_active: number;
  /** Connections closed because the upstream did not resolve or refused. */
  upstream_errors: number;
  /** The last upstream error, e.g. `connect ECONNREFUSED 127.0.0.1:1`. */
  last_upstream_error?: string;
  /** Connections closed at once by a `loss` toxic in `drop` mode. */
  dropped: number;
  /** Connections held by a `loss` toxic in `stall` mode (since start). */
  stalled: number;
}
