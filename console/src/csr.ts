/**
 * Decodes a PKCS#10 certificate request for display and for an officer's due diligence, with
 * @peculiar/x509 (no hand-written ASN.1): subject, key, requested extensions, the public key's
 * SHA-256 fingerprint and whether the request's self-signature verifies (WebCrypto).
 * Anything it cannot parse is reported as unparsable, never thrown.
 */
import 'reflect-metadata';
import {
  BasicConstraintsExtension,
  ExtendedKeyUsage,
  ExtendedKeyUsageExtension,
  KeyUsageFlags,
  KeyUsagesExtension,
  Pkcs10CertificateRequest,
  SubjectAlternativeNameExtension,
} from '@peculiar/x509';

/** `valid`/`invalid`: WebCrypto checked the signature; `not-checked`: it cannot verify this algorithm here. */
export type SignatureCheck = { status: 'valid' } | { status: 'invalid' } | { status: 'not-checked'; reason: string };

export interface RequestedExtension<T> {
  value: T;
  critical: boolean;
}

export type DecodedCsr =
  | {
      parsed: true;
      subject: string;
      keyAlgorithm: string;
      /** Bits of an RSA modulus, or of an elliptic curve's field. */
      keySize?: number;
      curve?: string;
      subjectAlternativeNames: string[];
      signatureAlgorithm: string;
      /** SHA-256 of the SubjectPublicKeyInfo DER, upper-case hex bytes joined by colons. */
      publicKeySha256: string;
      /** Requested extensions; absent when the request does not ask for one. */
      keyUsage?: RequestedExtension<string[]>;
      extendedKeyUsage?: RequestedExtension<string[]>;
      basicConstraints?: RequestedExtension<{ ca: boolean; pathLength?: number }>;
      signature: SignatureCheck;
    }
  | { parsed: false; error: string };

/** id-ce-subjectAltName */
const SUBJECT_ALT_NAME = '2.5.29.17';
const KEY_USAGE = '2.5.29.15';
const EXTENDED_KEY_USAGE = '2.5.29.37';
const BASIC_CONSTRAINTS = '2.5.29.19';
const CURVE_BITS: Record<string, number> = { 'P-256': 256, 'P-384': 384, 'P-521': 521, K256: 256 };
/** Algorithms WebCrypto has no name for, which @peculiar/x509 leaves as their object identifiers. */
const OID_NAMES: Record<string, string> = {
  '1.2.840.10040.4.1': 'DSA',
  '1.2.840.10040.4.3': 'DSA with SHA-1',
  '2.16.840.1.101.3.4.3.1': 'DSA with SHA-224',
  '2.16.840.1.101.3.4.3.2': 'DSA with SHA-256',
};
const EXTENDED_KEY_USAGE_NAMES: Record<string, string> = {
  ...Object.fromEntries(Object.entries(ExtendedKeyUsage).map(([name, oid]) => [oid, name])),
  '1.3.6.1.4.1.311.20.2.2': 'smartcardLogon',
  '1.3.6.1.5.2.3.4': 'pkinitClientAuth',
};
/** RFC 5280's order of the key usage bits. */
const KEY_USAGE_NAMES = Object.entries(KeyUsageFlags).filter((entry): entry is [string, number] => typeof entry[1] === 'number');

function hashName(hash: unknown): string | undefined {
  if (typeof hash === 'string') return hash;
  if (hash && typeof hash === 'object' && 'name' in hash && typeof hash.name === 'string') return hash.name;
  return undefined;
}

const named = (name: string) => OID_NAMES[name] ?? name;

/** `41:F4:61:…`: bytes as upper-case hex pairs joined by colons, as certificate tools print fingerprints. */
export function colonHex(bytes: ArrayBuffer | Uint8Array): string {
  return Array.from(bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes), (byte) =>
    byte.toString(16).padStart(2, '0').toUpperCase(),
  ).join(':');
}

function keyAlgorithmOf(algorithm: { name: string; namedCurve?: string }): string {
  if (algorithm.name.startsWith('RSA')) return 'RSA';
  if (algorithm.name === 'ECDSA' || algorithm.name === 'ECDH') return 'EC';
  if (algorithm.name === 'EdDSA' && algorithm.namedCurve) return algorithm.namedCurve;
  return named(algorithm.name);
}

async function checkSignature(csr: Pkcs10CertificateRequest, algorithm: string): Promise<SignatureCheck> {
  try {
    return { status: (await csr.verify()) ? 'valid' : 'invalid' };
  } catch {
    // WebCrypto (or @peculiar/x509) has no verifier for this algorithm: DSA, Ed448 in most browsers.
    return { status: 'not-checked', reason: `this browser cannot verify ${algorithm} signatures` };
  }
}

function requestedExtensions(csr: Pkcs10CertificateRequest) {
  const keyUsage = csr.getExtension(KEY_USAGE);
  const extendedKeyUsage = csr.getExtension(EXTENDED_KEY_USAGE);
  const basicConstraints = csr.getExtension(BASIC_CONSTRAINTS);
  return {
    ...(keyUsage instanceof KeyUsagesExtension
      ? {
          keyUsage: {
            value: KEY_USAGE_NAMES.filter(([, flag]) => (keyUsage.usages & flag) !== 0).map(([name]) => name),
            critical: keyUsage.critical,
          },
        }
      : {}),
    ...(extendedKeyUsage instanceof ExtendedKeyUsageExtension
      ? {
          extendedKeyUsage: {
            value: extendedKeyUsage.usages.map((usage) => EXTENDED_KEY_USAGE_NAMES[String(usage)] ?? String(usage)),
            critical: extendedKeyUsage.critical,
          },
        }
      : {}),
    ...(basicConstraints instanceof BasicConstraintsExtension
      ? {
          basicConstraints: {
            value: {
              ca: basicConstraints.ca,
              ...(basicConstraints.pathLength === undefined ? {} : { pathLength: basicConstraints.pathLength }),
            },
            critical: basicConstraints.critical,
          },
        }
      : {}),
  };
}

export async function decodeCsr(pem: string): Promise<DecodedCsr> {
  try {
    const csr = new Pkcs10CertificateRequest(pem.trim());
    const algorithm = csr.publicKey.algorithm as { name: string; modulusLength?: number; namedCurve?: string };
    const keySize = algorithm.modulusLength ?? (algorithm.namedCurve ? CURVE_BITS[algorithm.namedCurve] : undefined);
    const san = csr.getExtension(SUBJECT_ALT_NAME);
    const subjectAlternativeNames =
      san instanceof SubjectAlternativeNameExtension ? san.names.items.map((name) => `${name.type.toUpperCase()}:${name.value}`) : [];
    const signature = csr.signatureAlgorithm as { name: string; hash?: unknown; namedCurve?: string };
    const hash = hashName(signature.hash);
    const signatureAlgorithm = hash
      ? `${signature.name} with ${hash}`
      : signature.name === 'EdDSA' && signature.namedCurve
        ? signature.namedCurve
        : named(signature.name);
    const keyAlgorithm = keyAlgorithmOf(algorithm);
    return {
      parsed: true,
      subject: csr.subject,
      keyAlgorithm,
      ...(keySize ? { keySize } : {}),
      ...(algorithm.namedCurve && keyAlgorithm === 'EC' ? { curve: algorithm.namedCurve } : {}),
      subjectAlternativeNames,
      signatureAlgorithm,
      publicKeySha256: colonHex(await csr.publicKey.getThumbprint('SHA-256')),
      ...requestedExtensions(csr),
      signature: await checkSignature(csr, signatureAlgorithm),
    };
  } catch (error) {
    return { parsed: false, error: (error as Error).message || 'not a PKCS#10 certificate request' };
  }
}

/** A name for the downloaded file: the CN of the subject when it has one, else the request id. */
export function csrFileName(subject: string | undefined, fallback: string): string {
  const cn = /(?:^|,\s*)CN=([^,]+)/.exec(subject ?? '')?.[1]?.trim();
  const base = (cn || fallback).replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._]+/, '');
  return `${base || 'request'}.csr`;
}
