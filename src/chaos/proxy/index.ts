/**
 * The TCP fault proxy's public face: Toxiproxy-compatible proxies and toxics
 * (plus Ballast's `loss`), the collection the daemon serves, and the pure
 * readers of their JSON bodies.
 */
export { formatHostPort, type HostPort, parseHostPort } from './address.ts';
export { ProxyCollection, type ProxyCollectionOptions } from './collection.ts';
export { Errors as ProxyErrors, ProxyApiError } from './errors.ts';
export { TcpProxy } from './proxy.ts';
export { DEFAULT_LISTEN, parsePopulate, parseProxyCreate, parseProxyUpdate } from './proxy-spec.ts';
export { type Checked, parseNewToxic, parseToxicUpdate } from './toxic-spec.ts';
export * from './types.ts';
