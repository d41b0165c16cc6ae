/**
 * Real PKCS#10 requests for tests, made with @peculiar/x509 over node's WebCrypto (never hand-written
 * DER): a fresh key of the asked algorithm and size, a subject, and subject alternative names.
 */
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as never);

export type TestKey = { rsa: 1024 | 2048 | 3072 } | { ec: 'P-256' | 'P-384' } | 'Ed25519';

/** A subject alternative name: `dns:web.example.com`, `ip:10.0.0.1`, `email:a@example.com`, `url:https://x`. */
export type TestName = `${'dns' | 'ip' | 'email' | 'url'}:${string}`;

const algorithmOf = (key: TestKey) =>
  key === 'Ed25519'
    ? { name: 'Ed25519' }
    : 'rsa' in key
      ? { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', publicExponent: new Uint8Array([1, 0, 1]), modulusLength: key.rsa }
      : { name: 'ECDSA', namedCurve: key.ec, hash: 'SHA-256' };

const keyCache = new Map<string, Promise<webcrypto.CryptoKeyPair>>();

/** One key pair per algorithm and size for the whole test file: RSA 3072 takes a while to make. */
function keysFor(key: TestKey): Promise<webcrypto.CryptoKeyPair> {
  const id = JSON.stringify(key);
  let keys = keyCache.get(id);
  if (!keys) {
    keys = webcrypto.subtle.generateKey(algorithmOf(key), false, ['sign', 'verify']) as Promise<webcrypto.CryptoKeyPair>;
    keyCache.set(id, keys);
  }
  return keys;
}

/** A PEM certificate request for `subject` (`CN=web.example.com, O=Example`) with these names. */
export async function makeCsr(options: {
  subject: string;
  key?: TestKey;
  names?: TestName[];
  /** Extensions with a value as given (a subjectAltName that does not read as one), made by the library all the same. */
  rawExtensions?: Array<{ oid: string; value: Uint8Array }>;
  /** The names of a second subjectAltName extension (a CSR that repeats the extension). */
  moreNames?: TestName[];
}): Promise<string> {
  const key = options.key ?? { ec: 'P-256' };
  const parsed = (list: TestName[]) =>
    list.map((name) => {
      const at = name.indexOf(':');
      return { type: name.slice(0, at) as x509.GeneralNameType, value: name.slice(at + 1) };
    });
  const names = parsed(options.names ?? []);
  const request = await x509.Pkcs10CertificateRequestGenerator.create({
    name: options.subject,
    keys: await keysFor(key),
    signingAlgorithm: algorithmOf(key),
    extensions: [
      ...(names.length ? [new x509.SubjectAlternativeNameExtension(names)] : []),
      ...(options.moreNames ? [new x509.SubjectAlternativeNameExtension(parsed(options.moreNames))] : []),
      ...(options.rawExtensions ?? []).map((extension) => new x509.Extension(extension.oid, false, extension.value)),
    ],
  });
  return request.toString('pem');
}
