/**
 * A P10 enrollment carries a PKCS#10 certificate request: it must parse as one, read with the
 * maintained ASN.1 schemas of @peculiar/asn1-csr and @peculiar/asn1-x509 (never hand-written ASN.1),
 * or the create is refused with 400 naming `subject.csr`; and its `subjectDn` must name the CSR's
 * subject (dn.ts says how names compare), or the create is refused with 400 naming `subject.subjectDn`.
 * The schemas alone, not @peculiar/x509 (which the console uses), keep the functions' bundles
 * small; the key's type and size come from node:crypto.
 * `csrFacts` and `applyCsrPolicy` feed the same reading to the profile's csrPolicy (csr-policy.ts).
 */
import { createPublicKey, verify } from 'node:crypto';
import { CertificationRequest } from '@peculiar/asn1-csr';
import { AsnConvert } from '@peculiar/asn1-schema';
import { type Extension, Extensions, type GeneralName, id_ce_subjectAltName, SubjectAlternativeName } from '@peculiar/asn1-x509';
import { foldValue, formatDn, namesSubject, type Rdn } from './dn';
import { type CsrFacts, type CsrPolicy, checkCsr, type Finding, refusalMessage } from './csr-policy';
import { invalid } from './errors';
import type { CsrSummary } from './model';

const PEM = /^-----BEGIN (NEW )?CERTIFICATE REQUEST-----([\s\S]+?)-----END (NEW )?CERTIFICATE REQUEST-----$/;
/**
 * The attributes that carry the extensions a CSR asks for (its subject alternative names among
 * them): PKCS #9 extensionRequest, and Microsoft's certificate extensions attribute, which AD CS reads too.
 */
const EXTENSION_REQUESTS = new Set(['1.2.840.113549.1.9.14', '1.3.6.1.4.1.311.2.1.14']);

/** Every extension the CSR asks for, from each extension request attribute and value in order. */
function requestedExtensions(request: CertificationRequest): Extension[] {
  return request.certificationRequestInfo.attributes
    .filter((attribute) => EXTENSION_REQUESTS.has(attribute.type))
    .flatMap((attribute) => attribute.values.flatMap((value) => [...AsnConvert.parse(value, Extensions)]));
}
/** id-at-commonName */
const COMMON_NAME = '2.5.4.3';
const CURVES: Record<string, string> = { prime256v1: 'P-256', secp384r1: 'P-384', secp521r1: 'P-521', secp256k1: 'secp256k1' };

function parseCsr(pem: string): CertificationRequest | string {
  const body = PEM.exec(pem.trim())?.[2]?.replace(/\s+/g, '');
  if (!body || !/^[A-Za-z0-9+/]+={0,2}$/.test(body)) return 'is not PEM-armoured base64';
  try {
    const request = AsnConvert.parse(Buffer.from(body, 'base64'), CertificationRequest);
    if (!request.certificationRequestInfo.subjectPKInfo.subjectPublicKey.byteLength) return 'has no public key';
    // A value in another string type (VisibleString, NumericString, …) would read as hex here, escaping
    // the csrPolicy's name checks while a CA decodes the name: refused.
    const unread = request.certificationRequestInfo.subject.flatMap((rdn) =>
      rdn.filter((attribute) => attribute.value.anyValue !== undefined).map((attribute) => attribute.type),
    );
    if (unread.length > 0) {
      return `has a subject attribute (${unread.join(', ')}) in a string type this service does not read (PrintableString, UTF8String, IA5String, BMPString, TeletexString or UniversalString)`;
    }
    return request;
  } catch (error) {
    return (error as Error).message || 'cannot be read';
  }
}

/** Why `pem` is not a PKCS#10 request, or undefined when it parses. */
export function csrProblem(pem: string): string | undefined {
  const parsed = parseCsr(pem);
  return typeof parsed === 'string' ? parsed : undefined;
}

/** The subject's RDNs in ASN.1 order, each attribute with its OID and its value as written. */
function subjectRdns(request: CertificationRequest): Array<Array<{ type: string; value: string }>> {
  return request.certificationRequestInfo.subject.map((rdn) =>
    rdn.map((attribute) => ({ type: attribute.type, value: attribute.value.toString() })),
  );
}

/** The signature algorithms whose CSR signatures are verified, by OID: the hash each signs with (none: Ed25519). */
const SIGNATURE_HASHES: Record<string, string | null> = {
  '1.2.840.113549.1.1.5': 'sha1', // sha1WithRSAEncryption
  '1.2.840.113549.1.1.11': 'sha256', // sha256WithRSAEncryption
  '1.2.840.113549.1.1.12': 'sha384',
  '1.2.840.113549.1.1.13': 'sha512',
  '1.2.840.10045.4.1': 'sha1', // ecdsa-with-SHA1
  '1.2.840.10045.4.3.2': 'sha256', // ecdsa-with-SHA256
  '1.2.840.10045.4.3.3': 'sha384',
  '1.2.840.10045.4.3.4': 'sha512',
  '2.16.840.1.101.3.4.3.2': 'sha256', // dsa-with-SHA256
  '1.3.101.112': null, // Ed25519
};

/**
 * Whether the CSR's signature verifies with its own public key over the signed part as received
 * (proof that whoever made it holds the private key, and that nothing in it changed since):
 * `not-checked` for another signature algorithm (RSA-PSS's parameters among them).
 */
function signatureOf(request: CertificationRequest): 'valid' | 'invalid' | 'not-checked' {
  const hash = SIGNATURE_HASHES[request.signatureAlgorithm.algorithm];
  const signed = request.certificationRequestInfoRaw;
  if (hash === undefined || !signed) return 'not-checked';
  try {
    const key = createPublicKey({
      key: Buffer.from(AsnConvert.serialize(request.certificationRequestInfo.subjectPKInfo)),
      format: 'der',
      type: 'spki',
    });
    return verify(hash, Buffer.from(signed), key, Buffer.from(request.signature)) ? 'valid' : 'invalid';
  } catch {
    return 'invalid';
  }
}

/** The subject's key: its algorithm (as csrPolicy names them), its size, and both in words. */
function keyOf(request: CertificationRequest): { algorithm: string; bits?: number; label: string } {
  try {
    const key = createPublicKey({
      key: Buffer.from(AsnConvert.serialize(request.certificationRequestInfo.subjectPKInfo)),
      format: 'der',
      type: 'spki',
    });
    const details = key.asymmetricKeyDetails ?? {};
    if (key.asymmetricKeyType === 'rsa' || key.asymmetricKeyType === 'rsa-pss') {
      return { algorithm: 'RSA', bits: details.modulusLength, label: `RSA ${details.modulusLength} bits` };
    }
    if (key.asymmetricKeyType === 'ec') {
      const curve = CURVES[details.namedCurve ?? ''] ?? details.namedCurve ?? 'unknown curve';
      const bits = /(\d{3})/.exec(curve)?.[1];
      return { algorithm: 'EC', bits: bits ? Number(bits) : undefined, label: `EC ${curve}${bits ? ` (${bits} bits)` : ''}` };
    }
    if (key.asymmetricKeyType === 'ed25519') return { algorithm: 'Ed25519', label: 'Ed25519' };
    if (key.asymmetricKeyType === 'ed448') return { algorithm: 'Ed448', label: 'Ed448' };
    const other = key.asymmetricKeyType ?? 'unknown';
    return { algorithm: other, label: other };
  } catch {
    const oid = request.certificationRequestInfo.subjectPKInfo.algorithm.algorithm;
    return { algorithm: oid, label: `unreadable key (algorithm ${oid})` };
  }
}

function generalName(name: GeneralName): string {
  if (name.dNSName !== undefined) return `DNS:${name.dNSName}`;
  if (name.iPAddress !== undefined) return `IP:${name.iPAddress}`;
  if (name.rfc822Name !== undefined) return `email:${name.rfc822Name}`;
  if (name.uniformResourceIdentifier !== undefined) return `URI:${name.uniformResourceIdentifier}`;
  if (name.registeredID !== undefined) return `RID:${name.registeredID}`;
  if (name.directoryName !== undefined)
    return `DirName:${formatDn(name.directoryName.map((rdn) => rdn.map((a) => ({ type: a.type, value: a.value.toString() }))))}`;
  return 'otherName';
}

/** The names the CSR's extension request asks for (its subject alternative names). */
function requestedNames(request: CertificationRequest): GeneralName[] {
  return requestedExtensions(request)
    .filter((extension) => extension.extnID === id_ce_subjectAltName)
    .flatMap((extension) => [...AsnConvert.parse(extension.extnValue, SubjectAlternativeName)]);
}

const EXTENSION_NAMES: Record<string, string> = {
  '2.5.29.15': 'keyUsage',
  '2.5.29.17': 'subjectAltName',
  '2.5.29.19': 'basicConstraints',
  '2.5.29.37': 'extKeyUsage',
};

/** An extension the CSR asks for twice (by name or OID), in one extension request or across them; undefined when none (or it cannot be read). */
function repeatedExtension(request: CertificationRequest): string | undefined {
  let extensions: Extension[];
  try {
    extensions = requestedExtensions(request);
  } catch {
    return undefined; // an unreadable extension request: a csrPolicy marks it (csrFacts)
  }
  const ids = extensions.map((extension) => extension.extnID);
  const repeated = ids.find((id, index) => ids.indexOf(id) !== index);
  return repeated === undefined
    ? undefined
    : `${Object.hasOwn(EXTENSION_NAMES, repeated) ? EXTENSION_NAMES[repeated] : repeated} extension`;
}

function subjectAlternativeNames(request: CertificationRequest): string[] {
  return requestedNames(request).map(generalName);
}

/** The CSR decoded for people, or undefined when it does not parse. */
export function describeCsr(pem: string): CsrSummary | undefined {
  const request = parseCsr(pem);
  if (typeof request === 'string') return undefined;
  let names: string[];
  try {
    names = subjectAlternativeNames(request);
  } catch {
    names = ['(unreadable extension request)'];
  }
  return { subject: formatDn(subjectRdns(request)), key: keyOf(request).label, subjectAlternativeNames: names };
}

/**
 * Refuses a `certificate.enroll` by P10 whose `csr` is a PEM block that is not a PKCS#10 request,
 * or whose `subjectDn` does not name the CSR's subject; returns the CSR decoded, which the request
 * keeps (so emails and link pages show it without bundling the ASN.1 schemas). Other problems of
 * the subject (no csr, not PEM) are left to the kind's schema, which names them.
 */
export function assertP10CsrParses(body: { kind: string; subject: Record<string, unknown> }): CsrSummary | undefined {
  const { method, csr, subjectDn } = body.subject;
  if (body.kind !== 'certificate.enroll' || method !== 'P10' || typeof csr !== 'string') return undefined;
  if (!/-----BEGIN (NEW )?CERTIFICATE REQUEST-----[\s\S]+-----END (NEW )?CERTIFICATE REQUEST-----/.test(csr) || csr.length > 16384) {
    return undefined;
  }
  const request = parseCsr(csr);
  if (typeof request === 'string') {
    const message = 'is not a PKCS#10 certificate request';
    throw invalid(`subject.csr ${message}`, [{ field: 'subject.csr', message: `${message} (${request.slice(0, 200)})` }]);
  }
  const repeated = repeatedExtension(request);
  if (repeated) {
    // A CA reads one of them, which one is its own choice: the approver could not know what it issues.
    const message = `repeats the ${repeated} in its extension request (a CA reads only one of them)`;
    throw invalid(`subject.csr ${message}`, [{ field: 'subject.csr', message }]);
  }
  const rdns = subjectRdns(request);
  const folded: Rdn[] = rdns.map((rdn) => rdn.map((attribute) => ({ type: attribute.type, value: foldValue(attribute.value) })));
  if (typeof subjectDn !== 'string' || !namesSubject(subjectDn, folded)) {
    const message = `does not name the subject of the CSR (${formatDn(rdns).slice(0, 300)})`;
    throw invalid(`subject.subjectDn ${message}`, [{ field: 'subject.subjectDn', message }]);
  }
  return describeCsr(csr);
}

/**
 * What a profile's csrPolicy looks at in a CSR (csr-policy.ts), or undefined when it does not parse.
 * An extension request that cannot be read is marked (`unreadableNames`): its names cannot be checked.
 */
export function csrFacts(pem: string): CsrFacts | undefined {
  const request = parseCsr(pem);
  if (typeof request === 'string') return undefined;
  const key = keyOf(request);
  let names: GeneralName[] | undefined;
  try {
    names = requestedNames(request);
  } catch {
    names = undefined;
  }
  return {
    keyAlgorithm: key.algorithm,
    ...(key.bits ? { keyBits: key.bits } : {}),
    keyLabel: key.label,
    commonNames: subjectRdns(request).flatMap((rdn) => rdn.filter((a) => a.type === COMMON_NAME).map((a) => a.value)),
    dnsNames: (names ?? []).flatMap((name) => (name.dNSName === undefined ? [] : [name.dNSName])),
    otherNames: (names ?? []).filter((name) => name.dNSName === undefined).map(generalName),
    ...(names ? {} : { unreadableNames: true }),
    signature: signatureOf(request),
  };
}

/**
 * A profile's csrPolicy applied to a create: undefined when there is no policy or the request is not a
 * P10 enrollment; else the findings (none when the CSR meets the policy). A `refuse` policy's
 * findings are a 400 naming each, thrown before anything is written.
 */
export function applyCsrPolicy(
  policy: CsrPolicy | undefined,
  body: { kind: string; subject: Record<string, unknown> },
): Finding[] | undefined {
  const { method, csr } = body.subject;
  if (!policy || body.kind !== 'certificate.enroll' || method !== 'P10' || typeof csr !== 'string') return undefined;
  const facts = csrFacts(csr);
  if (!facts) {
    throw invalid('subject.csr is not a PKCS#10 certificate request', [
      { field: 'subject.csr', message: 'is not a PKCS#10 certificate request' },
    ]);
  }
  const findings = checkCsr(policy, facts);
  if (policy.enforce === 'refuse' && findings.length > 0) {
    throw invalid(
      refusalMessage(findings),
      findings.map((finding) => ({ field: 'subject.csr', message: finding.message, code: finding.code, severity: finding.severity })),
    );
  }
  return findings;
}
