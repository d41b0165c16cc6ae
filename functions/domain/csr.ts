/**
 * A P10 enrollment carries a PKCS#10 certificate request: it must parse as one, read with the
 * maintained ASN.1 schemas of @peculiar/asn1-csr (never hand-written ASN.1), or the create is
 * refused with 400 naming `subject.csr`. The schemas alone, not @peculiar/x509 (which the console
 * uses to show the request's details), keep the create function's bundle small. Kept apart from
 * kinds.ts so that only the create function bundles them.
 */
import { CertificationRequest } from '@peculiar/asn1-csr';
import { AsnConvert } from '@peculiar/asn1-schema';
import { invalid } from './errors';

const PEM = /^-----BEGIN (NEW )?CERTIFICATE REQUEST-----([\s\S]+?)-----END (NEW )?CERTIFICATE REQUEST-----$/;

/** Why `pem` is not a PKCS#10 request, or undefined when it parses. */
export function csrProblem(pem: string): string | undefined {
  const body = PEM.exec(pem.trim())?.[2]?.replace(/\s+/g, '');
  if (!body || !/^[A-Za-z0-9+/]+={0,2}$/.test(body)) return 'is not PEM-armoured base64';
  try {
    const request = AsnConvert.parse(Buffer.from(body, 'base64'), CertificationRequest);
    if (!request.certificationRequestInfo.subjectPKInfo.subjectPublicKey.byteLength) return 'has no public key';
    return undefined;
  } catch (error) {
    return (error as Error).message || 'cannot be read';
  }
}

/**
 * Refuses a `certificate.enroll` by P10 whose `csr` is a PEM block that is not a PKCS#10 request.
 * Other problems of the subject (no csr, not PEM) are left to the kind's schema, which names them.
 */
export function assertP10CsrParses(body: { kind: string; subject: Record<string, unknown> }): void {
  const { method, csr } = body.subject;
  if (body.kind !== 'certificate.enroll' || method !== 'P10' || typeof csr !== 'string') return;
  if (!/-----BEGIN (NEW )?CERTIFICATE REQUEST-----[\s\S]+-----END (NEW )?CERTIFICATE REQUEST-----/.test(csr) || csr.length > 16384) return;
  const problem = csrProblem(csr);
  if (problem) {
    const message = 'is not a PKCS#10 certificate request';
    throw invalid(`subject.csr ${message}`, [{ field: 'subject.csr', message: `${message} (${problem.slice(0, 200)})` }]);
  }
}
