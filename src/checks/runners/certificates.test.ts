import { describe, expect, it } from 'vitest';
import {
  certificateChain,
  earliestNotAfter,
  formatDistinguishedName,
  type PeerCertificateLike,
} from './certificates.ts';

describe('certificateChain', () => {
  const cert = (cn: string, issuer: string, validTo: string, fingerprint256 = cn): PeerCertificateLike => ({
    subject: { CN: cn },
    issuer: { CN: issuer },
    valid_to: validTo,
    fingerprint256,
  });

  it('stops at a root that links to itself, as Node links a self-signed root', () => {
    const root = cert('Root', 'Root', 'Jan  1 00:00:00 2035 GMT');
    root.issuerCertificate = root;
    const leaf = { ...cert('leaf', 'Root', 'Jun  1 12:00:00 2030 GMT'), issuerCertificate: root };
    expect(certificateChain(leaf)).toEqual([
      { subject: 'CN=leaf', issuer: 'CN=Root', notAfter: Date.UTC(2030, 5, 1, 12) },
      { subject: 'CN=Root', issuer: 'CN=Root', notAfter: Date.UTC(2035, 0, 1) },
    ]);
  });

  it('stops at a self-issued certificate even when it links further', () => {
    const beyond = cert('Beyond', 'Beyond', 'Jan  1 00:00:00 2040 GMT');
    const root = { ...cert('Root', 'Root', 'Jan  1 00:00:00 2035 GMT'), issuerCertificate: beyond };
    expect(certificateChain(root).map((c) => c.subject)).toEqual(['CN=Root']);
  });

  it('stops at a certificate already seen (a loop of cross-signed intermediates)', () => {
    const a = cert('A', 'B', 'Jan  1 00:00:00 2031 GMT');
    const b = { ...cert('B', 'A', 'Jan  1 00:00:00 2032 GMT'), issuerCertificate: a };
    // A copy of `a` (same fingerprint, another object), as a rebuilt chain would hold.
    a.issuerCertificate = { ...b, issuerCertificate: { ...a } };
    expect(certificateChain(a).map((c) => c.subject)).toEqual(['CN=A', 'CN=B']);
  });

  it('ends where the links end (an issuer the server did not send)', () => {
    const leaf = cert('leaf', 'Missing Intermediate', 'Jan  1 00:00:00 2031 GMT');
    expect(certificateChain(leaf)).toHaveLength(1);
  });

  it('stops at a date it cannot read', () => {
    const leaf = {
      ...cert('leaf', 'CA', 'Jan  1 00:00:00 2031 GMT'),
      issuerCertificate: cert('CA', 'CA', 'soon'),
    };
    expect(certificateChain(leaf).map((c) => c.subject)).toEqual(['CN=leaf']);
  });

  it('is empty for the empty object Node returns when there is no certificate', () => {
    expect(certificateChain({})).toEqual([]);
    expect(certificateChain(undefined)).toEqual([]);
  });
});

describe('formatDistinguishedName', () => {
  it.each([
    {
      name: 'attributes are joined in order',
      dn: { C: 'DE', O: 'Example', CN: 'x.test' },
      expected: 'C=DE, O=Example, CN=x.test',
    },
    {
      name: 'a repeated attribute appears once per value',
      dn: { OU: ['a', 'b'], CN: 'x' },
      expected: 'OU=a, OU=b, CN=x',
    },
    { name: 'no name is an empty text', dn: undefined, expected: '' },
    {
      name: "X509Certificate's one attribute per line reads the same",
      dn: 'C=DE\nO=Example\nCN=x.test',
      expected: 'C=DE, O=Example, CN=x.test',
    },
  ])('$name', ({ dn, expected }) => {
    expect(formatDistinguishedName(dn)).toBe(expected);
  });
});

describe('earliestNotAfter', () => {
  it.each([
    { name: 'the earliest of the chain, wherever it is', chain: [3, 1, 2], expected: 1 },
    { name: 'the only certificate of a chain of one', chain: [5], expected: 5 },
    { name: 'nothing for an empty chain', chain: [], expected: undefined },
  ])('$name', ({ chain, expected }) => {
    expect(earliestNotAfter(chain.map((notAfter) => ({ subject: 's', issuer: 'i', notAfter })))).toBe(
      expected,
    );
  });
});
