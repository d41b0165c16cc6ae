/**
 * Decodes a PKCS#10 certificate request for display, with @peculiar/x509 (no hand-written ASN.1).
 * Anything it cannot parse is reported as unparsable, never thrown.
 */
import 'reflect-metadata';
import { Pkcs10CertificateRequest, SubjectAlternativeNameExtension } from '@peculiar/x509';

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
    }
  | { parsed: false; error: string };

/** id-ce-subjectAltName */
const SUBJECT_ALT_NAME = '2.5.29.17';
const CURVE_BITS: Record<string, number> = { 'P-256': 256, 'P-384': 384, 'P-521': 521, K256: 256 };

function hashName(hash: unknown): string | undefined {
  if (typeof hash === 'string') return hash;
  if (hash && typeof hash === 'object' && 'name' in hash && typeof hash.name === 'string') return hash.name;
  return undefined;
}

export async function decodeCsr(pem: string): Promise<DecodedCsr> {
  try {
    const csr = new Pkcs10CertificateRequest(pem.trim());
    const key = await csr.publicKey.export();
    const algorithm = key.algorithm as { name: string; modulusLength?: number; namedCurve?: string };
    const keySize = algorithm.modulusLength ?? (algorithm.namedCurve ? CURVE_BITS[algorithm.namedCurve] : undefined);
    const san = csr.getExtension(SUBJECT_ALT_NAME);
    const subjectAlternativeNames =
      san instanceof SubjectAlternativeNameExtension ? san.names.items.map((name) => `${name.type.toUpperCase()}:${name.value}`) : [];
    const signature = csr.signatureAlgorithm as { name: string; hash?: unknown };
    const hash = hashName(signature.hash);
    return {
      parsed: true,
      subject: csr.subject,
      keyAlgorithm: algorithm.name.startsWith('RSA') ? 'RSA' : algorithm.name === 'ECDSA' ? 'EC' : algorithm.name,
      ...(keySize ? { keySize } : {}),
      ...(algorithm.namedCurve ? { curve: algorithm.namedCurve } : {}),
      subjectAlternativeNames,
      signatureAlgorithm: hash ? `${signature.name} with ${hash}` : signature.name,
    };
  } catch (error) {
    return { parsed: false, error: (error as Error).message || 'not a PKCS#10 certificate request' };
  }
}
