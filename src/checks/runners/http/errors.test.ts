import { describe, expect, it } from 'vitest';
import {
  BodyTooLargeError,
  ConnectionError,
  certificateRejectionReason,
  classifyExchangeError,
  describeError,
  tidyOpenSslMessage,
} from './errors.ts';

const withCode = (message: string, code: string, cause?: unknown) =>
  Object.assign(new Error(message, cause === undefined ? undefined : { cause }), { code });

const OPENSSL_ALERT =
  '40BDC563587F0000:error:0A00045C:SSL routines:ssl3_read_bytes:tlsv13 alert certificate required:../deps/openssl/openssl/ssl/record/rec_layer_s3.c:918:SSL alert number 116\n';

describe('classifyExchangeError', () => {
  const cases: { name: string; err: unknown; socketError?: Error; kind: string; message?: string }[] = [
    {
      name: 'an error the connector classified keeps its kind and message',
      err: new ConnectionError('dns', 'cannot resolve x.invalid (ENOTFOUND)'),
      kind: 'dns',
      message: 'cannot resolve x.invalid (ENOTFOUND)',
    },
    {
      name: 'a classified error wrapped by undici is still found',
      err: new Error('wrapper', {
        cause: new ConnectionError('connect', 'connect ECONNREFUSED 127.0.0.1:1'),
      }),
      kind: 'connect',
    },
    {
      name: "undici's connect timeout is a timeout",
      err: withCode('Connect Timeout Error', 'UND_ERR_CONNECT_TIMEOUT'),
      kind: 'timeout',
    },
    {
      name: 'a TLS code anywhere in the cause chain is tls',
      err: withCode('outer', 'UND_ERR_SOCKET', withCode('inner', 'ERR_SSL_WRONG_VERSION_NUMBER')),
      kind: 'tls',
    },
    {
      name: 'a close that came with a TLS alert is tls, with the alert as the reason',
      err: withCode('other side closed', 'UND_ERR_SOCKET'),
      socketError: withCode(OPENSSL_ALERT, 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED'),
      kind: 'tls',
      message: 'tlsv13 alert certificate required (SSL alert number 116)',
    },
    {
      name: 'a close without a TLS alert is a protocol error saying the connection closed',
      err: withCode('other side closed', 'UND_ERR_SOCKET'),
      socketError: withCode('read ECONNRESET', 'ECONNRESET'),
      kind: 'protocol',
      message: 'connection closed before the response completed (other side closed)',
    },
    { name: 'a reset is a protocol error', err: withCode('read ECONNRESET', 'ECONNRESET'), kind: 'protocol' },
    {
      name: 'a response the parser rejects is a protocol error',
      err: withCode('Response does not match the HTTP/1.1 protocol', 'HPE_INVALID_CONSTANT'),
      kind: 'protocol',
    },
    {
      name: "undici's argument checks are config errors",
      err: withCode('invalid header key', 'UND_ERR_INVALID_ARG'),
      kind: 'config',
    },
    {
      name: 'anything unknown is a protocol error',
      err: 'a string thrown',
      kind: 'protocol',
      message: 'a string thrown',
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const got = classifyExchangeError(c.err, c.socketError);
      expect(got.kind).toBe(c.kind);
      if (c.message !== undefined) expect(got.message).toBe(c.message);
    });
  }
});

describe('tidyOpenSslMessage', () => {
  const cases: { name: string; input: string; expected: string }[] = [
    {
      name: 'keeps the reason and the alert of an alert message',
      input: OPENSSL_ALERT,
      expected: 'tlsv13 alert certificate required (SSL alert number 116)',
    },
    {
      name: 'keeps only the reason when nothing follows the source position',
      input:
        '80:error:0A00010B:SSL routines:ssl3_get_record:wrong version number:../deps/openssl/ssl/record/ssl3_record.c:354:',
      expected: 'wrong version number',
    },
    {
      name: 'leaves other messages alone',
      input: 'connect ECONNREFUSED 127.0.0.1:80',
      expected: 'connect ECONNREFUSED 127.0.0.1:80',
    },
  ];
  for (const c of cases) it(c.name, () => expect(tidyOpenSslMessage(c.input)).toBe(c.expected));
});

describe('describe', () => {
  const cases: { name: string; err: unknown; expected: string }[] = [
    { name: 'a lone error is its message', err: new Error('boom'), expected: 'boom' },
    {
      name: 'a generic wrapper gets its root cause appended',
      err: new Error('fetch failed', { cause: new Error('socket hang up') }),
      expected: 'fetch failed: socket hang up',
    },
    {
      name: 'a wrapper already quoting its cause is not repeated',
      err: new Error('failed: socket hang up', { cause: new Error('socket hang up') }),
      expected: 'failed: socket hang up',
    },
    { name: 'a non-error is stringified', err: 42, expected: '42' },
  ];
  for (const c of cases) it(c.name, () => expect(describeError(c.err)).toBe(c.expected));
});

describe('certificateRejectionReason', () => {
  const cases: { name: string; code: string; expected: string }[] = [
    { name: 'an expired certificate says so', code: 'CERT_HAS_EXPIRED', expected: 'certificate has expired' },
    {
      name: 'a self-signed leaf says so',
      code: 'DEPTH_ZERO_SELF_SIGNED_CERT',
      expected: 'self-signed certificate',
    },
    {
      name: 'an unknown issuer names the missing issuer',
      code: 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
      expected: 'unable to get local issuer certificate',
    },
    {
      name: 'an unknown code is shown as it is',
      code: 'SOMETHING_NEW',
      expected: 'certificate rejected (SOMETHING_NEW)',
    },
  ];
  for (const c of cases) it(c.name, () => expect(certificateRejectionReason(c.code)).toBe(c.expected));
});

describe('ConnectionError', () => {
  it('does not carry the codes that make undici retry the connection', () => {
    expect(new ConnectionError('tls', 'x', withCode('closed', 'UND_ERR_SOCKET')).code).toBeUndefined();
    expect(new ConnectionError('connect', 'x', withCode('refused', 'ECONNREFUSED')).code).toBe(
      'ECONNREFUSED',
    );
  });
});

describe('BodyTooLargeError', () => {
  it('carries the bytes read', () => expect(new BodyTooLargeError(2048).bytesRead).toBe(2048));
});
