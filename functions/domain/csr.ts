/**
 * A P10 enrollment carries a PKCS#10 certificate request: it must parse as one, read with
 * @peculiar/x509 (never hand-written ASN.1), or the create is refused with 400 naming
 * `subject.csr`. Kept apart from kinds.ts so that only the create function bundles the library.
 */
import 'reflect-metadata';
import { Pkcs10CertificateRequest } from '@peculiar/x509';
import { invalid } from './errors';

/** Why `pem` is not a PKCS#10 request, or undefined when it parses. */
export function csrProblem(pem: string): string | undefined {
  try {
    new Pkcs10CertificateRequest(pem.trim());
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
