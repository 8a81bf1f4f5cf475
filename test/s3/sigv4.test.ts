/*
 * The SigV4 verifier against requests signed by AWS's own signer (@smithy/signature-v4, what
 * @aws-sdk/client-s3 uses) and against the aws-chunked example of the S3 documentation.
 */
import { Readable } from 'node:stream';
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { S3RequestPresigner } from '@aws-sdk/s3-request-presigner';
import { SignatureV4 } from '@smithy/signature-v4';
import { describe, expect, it } from 'vitest';
import { S3Error } from '../../src/s3/errors.js';
import { decodePayload } from '../../src/s3/payload.js';
import { verifyRequest, type SignedRequest } from '../../src/s3/sigv4.js';

const ACCESS_KEY = 'SKBTESTKEY0000000001';
const SECRET = 'secretsecretsecretsecretsecretsecret0001';
const lookup = async (id: string) => (id === ACCESS_KEY ? SECRET : id === 'AKIAIOSFODNN7EXAMPLE' ? 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' : undefined);
const NOW = new Date('2026-11-25T12:00:00Z');

function signer(secret = SECRET, accessKeyId = ACCESS_KEY): SignatureV4 {
  return new SignatureV4({ credentials: { accessKeyId, secretAccessKey: secret }, region: 'us-east-1', service: 's3', sha256: Sha256, uriEscapePath: false, applyChecksum: true });
}

/** As the S3 client hands a request to its presigner: payload UNSIGNED-PAYLOAD. */
function presigner(): S3RequestPresigner {
  return new S3RequestPresigner({ credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET }, region: 'us-east-1', sha256: Sha256 });
}

/** The S3 client escapes keys before signing (uriEscapePath off), as here. */
function s3Path(path: string): string {
  return path
    .split('/')
    .map((segment) => encodeURIComponent(segment).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`))
    .join('/');
}

function httpRequest(method: string, path: string, query: Record<string, string> = {}, headers: Record<string, string> = {}, body?: string): HttpRequest {
  return new HttpRequest({ method, protocol: 'http:', hostname: '127.0.0.1', port: 8080, path, query, headers: { host: '127.0.0.1:8080', ...headers }, ...(body === undefined ? {} : { body }) });
}

/** What the server sees: the URL as sent on the wire, header names lower-case. */
function received(request: { method: string; path: string; query?: Record<string, unknown>; headers: Record<string, string> }): SignedRequest {
  const query = Object.entries(request.query ?? {})
    .map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(String(value))}`)
    .join('&');
  const path = request.path;
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) headers[name.toLowerCase()] = value;
  return { method: request.method, url: query === '' ? path : `${path}?${query}`, headers };
}

async function s3Error(promise: Promise<unknown>): Promise<S3Error> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(S3Error);
  return err as S3Error;
}

async function text(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('latin1');
}

describe('SigV4 Authorization header', () => {
  it('verifies a request signed by the AWS signer, keys with spaces and odd characters included', async () => {
    const body = 'hello world';
    const signed = await signer().sign(httpRequest('PUT', s3Path("/s3/bucket/dir/a key+with ~odd*chars'(1).txt"), {}, { 'content-type': 'text/plain', 'x-amz-meta-Owner': '  two   spaces ' }, body), { signingDate: NOW });
    const verified = await verifyRequest(received(signed), lookup, NOW);
    expect(verified.accessKeyId).toBe(ACCESS_KEY);
    expect(verified.payloadHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('verifies a signed query string (ListObjectsV2 with prefix and delimiter)', async () => {
    const signed = await signer().sign(httpRequest('GET', '/s3/bucket', { 'list-type': '2', prefix: 'a b/c', delimiter: '/', 'encoding-type': 'url' }), { signingDate: NOW });
    await expect(verifyRequest(received(signed), lookup, NOW)).resolves.toMatchObject({ accessKeyId: ACCESS_KEY });
  });

  it('answers SignatureDoesNotMatch for a wrong secret and for a changed request', async () => {
    const wrong = await signer('not-the-secret-not-the-secret-not-the-se').sign(httpRequest('GET', '/s3/bucket/key'), { signingDate: NOW });
    expect((await s3Error(verifyRequest(received(wrong), lookup, NOW))).code).toBe('SignatureDoesNotMatch');
    const signed = received(await signer().sign(httpRequest('GET', '/s3/bucket/key'), { signingDate: NOW }));
    const tampered = { ...signed, url: '/s3/bucket/other-key' };
    const err = await s3Error(verifyRequest(tampered, lookup, NOW));
    expect(err.code).toBe('SignatureDoesNotMatch');
    expect(err.status).toBe(403);
  });

  it('answers InvalidAccessKeyId for an unknown key', async () => {
    const signed = await signer(SECRET, 'SKBUNKNOWN0000000000').sign(httpRequest('GET', '/s3/'), { signingDate: NOW });
    expect((await s3Error(verifyRequest(received(signed), lookup, NOW))).code).toBe('InvalidAccessKeyId');
  });

  it('answers RequestTimeTooSkewed for a request signed 20 minutes off', async () => {
    const signed = await signer().sign(httpRequest('GET', '/s3/'), { signingDate: new Date(NOW.getTime() - 20 * 60_000) });
    expect((await s3Error(verifyRequest(received(signed), lookup, NOW))).code).toBe('RequestTimeTooSkewed');
  });

  it('answers AuthorizationHeaderMalformed and InvalidRequest for broken headers', async () => {
    const base = { method: 'GET', url: '/s3/', headers: { host: 'h', 'x-amz-date': '20261125T120000Z', 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' } };
    const noSignature = { ...base, headers: { ...base.headers, authorization: `AWS4-HMAC-SHA256 Credential=${ACCESS_KEY}/20261125/us-east-1/s3/aws4_request` } };
    expect((await s3Error(verifyRequest(noSignature, lookup, NOW))).code).toBe('AuthorizationHeaderMalformed');
    const badScope = { ...base, headers: { ...base.headers, authorization: `AWS4-HMAC-SHA256 Credential=${ACCESS_KEY}/2026/us-east-1, SignedHeaders=host, Signature=00` } };
    expect((await s3Error(verifyRequest(badScope, lookup, NOW))).code).toBe('AuthorizationHeaderMalformed');
    const v2 = { ...base, headers: { ...base.headers, authorization: `AWS ${ACCESS_KEY}:c2lnbmF0dXJl` } };
    expect((await s3Error(verifyRequest(v2, lookup, NOW))).code).toBe('InvalidRequest');
  });
});

describe('SigV4 presigned URLs', () => {
  it('verifies a presigned GET until it expires, then answers AccessDenied', async () => {
    const presigned = await presigner().presign(httpRequest('GET', '/s3/bucket/report.csv'), { signingDate: NOW, expiresIn: 60 });
    const request = received(presigned);
    expect(request.url).toContain('X-Amz-Signature=');
    await expect(verifyRequest(request, lookup, new Date(NOW.getTime() + 59_000))).resolves.toMatchObject({ payloadHash: 'UNSIGNED-PAYLOAD' });
    const err = await s3Error(verifyRequest(request, lookup, new Date(NOW.getTime() + 61_000)));
    expect(err.code).toBe('AccessDenied');
    expect(err.message).toBe('Request has expired');
  });

  it('answers SignatureDoesNotMatch when a query parameter is changed', async () => {
    const presigned = received(await presigner().presign(httpRequest('GET', '/s3/bucket/report.csv'), { signingDate: NOW, expiresIn: 60 }));
    const tampered = { ...presigned, url: presigned.url.replace('X-Amz-Expires=60', 'X-Amz-Expires=600') };
    expect((await s3Error(verifyRequest(tampered, lookup, NOW))).code).toBe('SignatureDoesNotMatch');
  });

  it('answers AuthorizationQueryParametersError when parameters are missing or out of range', async () => {
    const request = { method: 'GET', url: '/s3/b/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=00', headers: { host: 'h' } };
    expect((await s3Error(verifyRequest(request, lookup, NOW))).code).toBe('AuthorizationQueryParametersError');
    const presigned = received(await presigner().presign(httpRequest('GET', '/s3/b/k'), { signingDate: NOW, expiresIn: 60 }));
    const tooLong = { ...presigned, url: presigned.url.replace('X-Amz-Expires=60', 'X-Amz-Expires=604801') };
    expect((await s3Error(verifyRequest(tooLong, lookup, NOW))).code).toBe('AuthorizationQueryParametersError');
  });
});

describe('request bodies', () => {
  it('refuses a body whose SHA-256 differs from x-amz-content-sha256 at its end', async () => {
    const signed = received(await signer().sign(httpRequest('PUT', '/s3/b/k', {}, {}, 'the real body'), { signingDate: NOW }));
    const verified = await verifyRequest(signed, lookup, NOW);
    await expect(text(decodePayload(Readable.from([Buffer.from('the real body')]), verified))).resolves.toBe('the real body');
    const err = await text(decodePayload(Readable.from([Buffer.from('another body!')]), verified)).catch((e: unknown) => e);
    expect((err as S3Error).code).toBe('XAmzContentSHA256Mismatch');
  });

  // The example of "Signature Calculations for the Authorization Header: Transferring Payload
  // in Multiple Chunks" in the S3 API reference: 66,560 bytes of 'a' in chunks of 64 KiB.
  const CHUNKED_DATE = new Date('2013-05-24T00:00:00Z');
  const chunked: SignedRequest = {
    method: 'PUT',
    url: '/examplebucket/chunkObject.txt',
    headers: {
      host: 's3.amazonaws.com',
      'x-amz-date': '20130524T000000Z',
      'x-amz-storage-class': 'REDUCED_REDUNDANCY',
      authorization:
        'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class,Signature=4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9',
      'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
      'content-encoding': 'aws-chunked',
      'x-amz-decoded-content-length': '66560',
      'content-length': '66824',
    },
  };
  const chunkedBody = (finalSignature = 'b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9') =>
    Buffer.concat([
      Buffer.from('10000;chunk-signature=ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648\r\n'),
      Buffer.alloc(65536, 'a'),
      Buffer.from('\r\n400;chunk-signature=0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497\r\n'),
      Buffer.alloc(1024, 'a'),
      Buffer.from(`\r\n0;chunk-signature=${finalSignature}\r\n\r\n`),
    ]);

  it('decodes an aws-chunked body and verifies its chunk signatures (the S3 documentation example)', async () => {
    expect(chunkedBody().length).toBe(66824);
    const verified = await verifyRequest(chunked, lookup, CHUNKED_DATE);
    // Delivered in odd pieces, so chunk headers are split across reads.
    const body = chunkedBody();
    const pieces = [body.subarray(0, 7), body.subarray(7, 90), body.subarray(90, 65700), body.subarray(65700)];
    const decoded = await text(decodePayload(Readable.from(pieces), verified));
    expect(decoded).toBe('a'.repeat(66560));
  });

  it('refuses an aws-chunked body with a forged chunk signature or cut short', async () => {
    const verified = await verifyRequest(chunked, lookup, CHUNKED_DATE);
    const forged = await text(decodePayload(Readable.from([chunkedBody('0'.repeat(64))]), verified)).catch((e: unknown) => e);
    expect((forged as S3Error).code).toBe('SignatureDoesNotMatch');
    const short = await text(decodePayload(Readable.from([chunkedBody().subarray(0, 40_000)]), verified)).catch((e: unknown) => e);
    expect((short as S3Error).code).toBe('IncompleteBody');
  });

  it('strips the framing of unsigned chunks with trailing checksums', async () => {
    const verified = { accessKeyId: ACCESS_KEY, payloadHash: 'STREAMING-UNSIGNED-PAYLOAD-TRAILER', signingKey: Buffer.alloc(32), signature: '', amzDate: '', scope: '' };
    const body = Buffer.from('5\r\nhello\r\n6\r\n world\r\n0\r\nx-amz-checksum-crc32:DUoRhQ==\r\n\r\n');
    await expect(text(decodePayload(Readable.from([body]), verified))).resolves.toBe('hello world');
    const bad = await text(decodePayload(Readable.from([Buffer.from('zz\r\nhello\r\n')]), verified)).catch((e: unknown) => e);
    expect((bad as S3Error).code).toBe('InvalidRequest');
  });
});

describe('SigV4 strictness', () => {
  it('refuses a credential scope for another region than the server\'s (header and presigned)', async () => {
    const regional = new SignatureV4({ credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET }, region: 'eu-west-1', service: 's3', sha256: Sha256, uriEscapePath: false, applyChecksum: true });
    const signed = await regional.sign(httpRequest('GET', '/s3/bucket/key'), { signingDate: NOW });
    const err = await s3Error(verifyRequest(received(signed), lookup, NOW));
    expect(err.code).toBe('AuthorizationHeaderMalformed');
    expect(err.status).toBe(400);
    expect(err.message).toBe("The authorization header is malformed; the region 'eu-west-1' is wrong; expecting 'us-east-1'");

    const presigned = await new S3RequestPresigner({ credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET }, region: 'eu-west-1', sha256: Sha256 }).presign(httpRequest('GET', '/s3/bucket/key'), { signingDate: NOW, expiresIn: 60 });
    const queryErr = await s3Error(verifyRequest(received(presigned), lookup, NOW));
    expect(queryErr.code).toBe('AuthorizationQueryParametersError');
    expect(queryErr.message).toBe("Error parsing the X-Amz-Credential parameter; the region 'eu-west-1' is wrong; expecting 'us-east-1'");
  });

  it('checks the scope against the region it is given', async () => {
    const regional = new SignatureV4({ credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET }, region: 'eu-west-1', service: 's3', sha256: Sha256, uriEscapePath: false, applyChecksum: true });
    const signed = await regional.sign(httpRequest('GET', '/s3/bucket/key'), { signingDate: NOW });
    await expect(verifyRequest(received(signed), lookup, NOW, 'eu-west-1')).resolves.toMatchObject({ accessKeyId: ACCESS_KEY });
  });

  it('refuses a signature that is not 64 lower-case hex digits, even when it matches ignoring case', async () => {
    const signed = received(await signer().sign(httpRequest('GET', '/s3/bucket/key'), { signingDate: NOW }));
    const authorization = String(signed.headers.authorization);
    const signature = /Signature=([0-9a-f]{64})/.exec(authorization)?.[1] ?? '';
    expect(signature).toHaveLength(64);
    for (const bad of [signature.toUpperCase(), signature.slice(0, 63), `${signature}0`, `${signature.slice(0, 63)}g`]) {
      const request = { ...signed, headers: { ...signed.headers, authorization: authorization.replace(signature, bad) } };
      const err = await s3Error(verifyRequest(request, lookup, NOW));
      expect(err.code).toBe('AuthorizationHeaderMalformed');
      expect(err.message).toMatch(/64 lower-case hexadecimal digits/);
    }

    const presigned = received(await presigner().presign(httpRequest('GET', '/s3/bucket/key'), { signingDate: NOW, expiresIn: 60 }));
    const querySignature = new URLSearchParams(presigned.url.split('?')[1]).get('X-Amz-Signature') ?? '';
    const upper = { ...presigned, url: presigned.url.replace(querySignature, querySignature.toUpperCase()) };
    const err = await s3Error(verifyRequest(upper, lookup, NOW));
    expect(err.code).toBe('AuthorizationQueryParametersError');
    expect(err.message).toMatch(/64 lower-case hexadecimal digits/);
  });

  it('refuses a query that carries an X-Amz-* authentication parameter twice', async () => {
    const presigned = received(await presigner().presign(httpRequest('GET', '/s3/bucket/key'), { signingDate: NOW, expiresIn: 60 }));
    await expect(verifyRequest(presigned, lookup, NOW)).resolves.toMatchObject({ accessKeyId: ACCESS_KEY });
    const signature = new URLSearchParams(presigned.url.split('?')[1]).get('X-Amz-Signature') ?? '';
    for (const extra of [`X-Amz-Signature=${signature}`, `X-Amz-Signature=${'0'.repeat(64)}`, 'X-Amz-Expires=60', 'X-Amz-Credential=x', 'X-Amz-Algorithm=AWS4-HMAC-SHA256', 'X-Amz-Date=20261125T120000Z', 'X-Amz-SignedHeaders=host']) {
      const err = await s3Error(verifyRequest({ ...presigned, url: `${presigned.url}&${extra}` }, lookup, NOW));
      expect(err.code, extra).toBe('AuthorizationQueryParametersError');
      expect(err.message).toMatch(new RegExp(`${extra.split('=')[0]} .*once`));
    }
  });

  it('refuses a field that the Authorization header carries twice', async () => {
    const signed = received(await signer().sign(httpRequest('GET', '/s3/bucket/key'), { signingDate: NOW }));
    const authorization = String(signed.headers.authorization);
    const signature = /Signature=([0-9a-f]{64})/.exec(authorization)?.[1] ?? '';
    const request = { ...signed, headers: { ...signed.headers, authorization: `${authorization}, Signature=${signature}` } };
    const err = await s3Error(verifyRequest(request, lookup, NOW));
    expect(err.code).toBe('AuthorizationHeaderMalformed');
    expect(err.message).toMatch(/Signature .*once/);
  });
});
