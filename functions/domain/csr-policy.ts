/**
 * A profile's certificate request policy (`csrPolicy`) and the findings of checking a P10's CSR
 * against it. Pure: the CSR arrives already read (csr.ts reads it into `CsrFacts`); no I/O here, and
 * nothing that would pull the ASN.1 schemas into the console, which shares these types.
 *
 * The rules, each giving at most one finding:
 * - `key-algorithm-not-allowed` (high): the key is not of an algorithm in `keyAlgorithms`;
 * - `key-too-small` (high): an RSA key under `minRsaBits`, an EC key under `minEcBits`;
 * - `domain-not-allowed` (high): a DNS name, or the CN when it is a host name, is not under one of
 *   `allowedDomains` (under = the suffix itself or a name ending in `.` + the suffix: label by label,
 *   so `evil-example.com` is not under `example.com`; case and one trailing dot do not count);
 * - `name-not-checked` (medium): with `allowedDomains`, a subject alternative name that is not a DNS
 *   name (IP address, email, URI, ...), which the allowed domains cannot vouch for;
 * - `wildcard-not-allowed` (medium): a `*` in a DNS name or a host-name CN, unless `allowWildcards`;
 * - `dns-name-invalid` (medium): a DNS name that is not letters, digits and hyphens between dots
 *   (a wildcard only as the whole first label);
 * - `too-many-sans` (low): more subject alternative names than `maxSans`.
 * - `names-unreadable` (high): the CSR's extension request cannot be read, so neither can its names.
 * - `signature-invalid` (high), whatever the policy's settings: the CSR's signature does not verify
 *   with its own public key (an algorithm the reader does not verify, such as RSA-PSS, gives none).
 */
import * as z from './zod';

export const KEY_ALGORITHMS = ['RSA', 'EC', 'Ed25519'] as const;
export const SEVERITIES = ['high', 'medium', 'low'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const findingSchema = z.object({
  code: z.string().check(z.describe('Which rule: key-algorithm-not-allowed, key-too-small, domain-not-allowed, name-not-checked, ...')),
  severity: z.enum(SEVERITIES),
  message: z.string().check(z.describe('What the CSR asks for and what the policy says, in plain words.')),
});
export type Finding = z.infer<typeof findingSchema>;

/** A name as DNS compares it: lower case, without one trailing dot. */
export const normalizeName = (name: string) => name.toLowerCase().replace(/\.$/, '');

const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** Letters, digits and hyphens between dots (one trailing dot allowed), at most 253 characters. */
export function isDnsName(name: string): boolean {
  const normal = normalizeName(name);
  return normal.length > 0 && normal.length <= 253 && normal.split('.').every((label) => LABEL.test(label));
}

/** A DNS name, or one whose first label is exactly `*` (a wildcard). */
const isDnsNameOrWildcard = (name: string) => isDnsName(normalizeName(name).replace(/^\*\./, 'x.'));

/**
 * Whether a CN reads as a host name (and so must be under the allowed domains): two labels or more of
 * letters, digits and hyphens, the last starting with a letter, optionally a `*` first label.
 * A person's or a device's name (`Alice Smith`, `door-reader-7`) is not one.
 */
export function isHostName(value: string): boolean {
  const normal = normalizeName(value);
  const labels = normal.split('.');
  return labels.length >= 2 && /^[a-z]/.test(labels.at(-1) ?? '') && isDnsNameOrWildcard(normal);
}

/** Whether `name` is `suffix` or a name under it, label by label (case and one trailing dot aside). */
export function isUnderDomain(name: string, suffix: string): boolean {
  const n = normalizeName(name);
  const s = normalizeName(suffix);
  return s.length > 0 && (n === s || n.endsWith(`.${s}`));
}

const unique = <T>(list: T[]) => [...new Set(list)];

/** An allowed domain as written by an admin: `example.com`, `.example.com` or `Example.COM.` all mean example.com. */
const domainSuffix = z
  .pipe(
    z.string().check(z.trim(), z.maxLength(253, 'must be at most 253 characters')),
    z.transform((value) => normalizeName(value.replace(/^\./, ''))),
  )
  .check(
    z.refine(
      (value) => !value.includes('*'),
      'must be a domain without "*" (example.com already allows every name under it; wildcards are allowWildcards)',
    ),
    z.refine(isDnsName, 'must be a domain such as example.com: letters, digits and hyphens between dots (xn-- for international names)'),
  );

export const csrPolicySchema = z
  .strictObject({
    keyAlgorithms: z.optional(
      z.pipe(
        z
          .array(z.enum(KEY_ALGORITHMS))
          .check(z.minLength(1, 'must list at least one of RSA, EC, Ed25519 (leave it out to accept any key)')),
        z.transform(unique),
      ),
    ),
    minRsaBits: z.optional(
      z
        .number()
        .check(z.int('must be a whole number'), z.minimum(1024, 'must be at least 1024'), z.maximum(16384, 'must be at most 16384')),
    ),
    minEcBits: z.optional(
      z.number().check(z.int('must be a whole number'), z.minimum(192, 'must be at least 192'), z.maximum(521, 'must be at most 521')),
    ),
    allowedDomains: z.optional(
      z.pipe(
        z
          .array(domainSuffix)
          .check(
            z.minLength(1, 'must list at least one domain (leave it out to allow any)'),
            z.maxLength(100, 'must list at most 100 domains'),
          ),
        z.transform(unique),
      ),
    ),
    allowWildcards: z._default(z.boolean(), false),
    maxSans: z.optional(
      z.number().check(z.int('must be a whole number'), z.minimum(0, 'must be 0 or more'), z.maximum(1000, 'must be at most 1000')),
    ),
    enforce: z.enum(['refuse', 'flag']),
  })
  .check(
    z.describe(
      "Checks a P10 enrollment's CSR at create: with enforce refuse any finding is a 400 naming it and nothing is written; with flag the request is created with its findings.",
    ),
  );
export type CsrPolicy = z.infer<typeof csrPolicySchema>;

/** What the policy looks at in a CSR, as csr.ts reads it. */
export interface CsrFacts {
  /** `RSA`, `EC`, `Ed25519`, or another algorithm's name (`Ed448`, `DSA`, ...). */
  keyAlgorithm: string;
  /** Bits of an RSA modulus or of an EC curve. */
  keyBits?: number;
  /** The key as people read it: `RSA 3072 bits`, `EC P-256 (256 bits)`. */
  keyLabel: string;
  /** The subject's CN values. */
  commonNames: string[];
  /** The subject alternative names of type DNS, as written. */
  dnsNames: string[];
  /** Every other subject alternative name, as shown (`IP:10.0.0.1`, `email:a@example.com`). */
  otherNames: string[];
  /** The CSR's extension request could not be read: its subject alternative names are unknown. */
  unreadableNames?: boolean;
  /** Whether its signature verifies with its own key (`not-checked`: an algorithm the reader does not verify). */
  signature?: 'valid' | 'invalid' | 'not-checked';
}

/** At most `shown` names, quoted (a long one cut at 100 characters), then how many more. */
function nameList(names: string[], shown = 5): string {
  const quoted = names.slice(0, shown).map((name) => `"${name.length > 100 ? `${name.slice(0, 99)}…` : name}"`);
  const more = names.length - shown;
  return more > 0 ? `${quoted.join(', ')} and ${more} more` : quoted.join(', ');
}

function keyFindings(policy: CsrPolicy, csr: CsrFacts): Finding[] {
  if (policy.keyAlgorithms && !policy.keyAlgorithms.includes(csr.keyAlgorithm as (typeof KEY_ALGORITHMS)[number])) {
    return [
      {
        code: 'key-algorithm-not-allowed',
        severity: 'high',
        message: `The key is ${csr.keyLabel}; this profile accepts only ${policy.keyAlgorithms.join(', ')} keys.`,
      },
    ];
  }
  const minimum = csr.keyAlgorithm === 'RSA' ? policy.minRsaBits : csr.keyAlgorithm === 'EC' ? policy.minEcBits : undefined;
  if (minimum !== undefined && (csr.keyBits ?? 0) < minimum) {
    return [
      {
        code: 'key-too-small',
        severity: 'high',
        message: `The ${csr.keyAlgorithm} key has ${csr.keyBits ?? 'an unknown number of'} bits; this profile needs at least ${minimum}.`,
      },
    ];
  }
  return [];
}

function nameFindings(policy: CsrPolicy, csr: CsrFacts): Finding[] {
  const findings: Finding[] = [];
  if (csr.unreadableNames) {
    findings.push({
      code: 'names-unreadable',
      severity: 'high',
      message: "The CSR's requested extensions cannot be read, so the names it asks for cannot be checked.",
    });
  }
  const hostNames = unique([...csr.commonNames.filter(isHostName), ...csr.dnsNames]);
  const invalid = csr.dnsNames.filter((name) => !isDnsNameOrWildcard(name));
  if (invalid.length) {
    findings.push({
      code: 'dns-name-invalid',
      severity: 'medium',
      message: `${nameList(invalid)} ${invalid.length === 1 ? 'is not a valid DNS name' : 'are not valid DNS names'} (letters, digits and hyphens between dots; a wildcard only as the whole first label).`,
    });
  }
  if (policy.allowedDomains) {
    const domains = policy.allowedDomains;
    const outside = hostNames.filter((name) => !domains.some((suffix) => isUnderDomain(name, suffix)));
    if (outside.length) {
      findings.push({
        code: 'domain-not-allowed',
        severity: 'high',
        message: `${nameList(outside)} ${outside.length === 1 ? 'is' : 'are'} not under the allowed domains (${domains.join(', ')}).`,
      });
    }
    if (csr.otherNames.length) {
      findings.push({
        code: 'name-not-checked',
        severity: 'medium',
        message: `The CSR also asks for ${nameList(csr.otherNames)}, which ${csr.otherNames.length === 1 ? 'is not a DNS name' : 'are not DNS names'}: the allowed domains cannot vouch for ${csr.otherNames.length === 1 ? 'it' : 'them'}.`,
      });
    }
  }
  const wildcards = hostNames.filter((name) => name.includes('*'));
  if (!policy.allowWildcards && wildcards.length) {
    findings.push({
      code: 'wildcard-not-allowed',
      severity: 'medium',
      message: `${nameList(wildcards)} ${wildcards.length === 1 ? 'is a wildcard' : 'are wildcards'}; this profile does not allow wildcard names.`,
    });
  }
  const sans = csr.dnsNames.length + csr.otherNames.length;
  if (policy.maxSans !== undefined && sans > policy.maxSans) {
    findings.push({
      code: 'too-many-sans',
      severity: 'low',
      message: `The CSR asks for ${sans} subject alternative names; this profile allows at most ${policy.maxSans}.`,
    });
  }
  return findings;
}

/** The findings of a CSR under a policy, most severe first; none when the CSR meets it. */
export function checkCsr(policy: CsrPolicy, csr: CsrFacts): Finding[] {
  const rank = (finding: Finding) => SEVERITIES.indexOf(finding.severity);
  return [...signatureFindings(csr), ...keyFindings(policy, csr), ...nameFindings(policy, csr)].sort((a, b) => rank(a) - rank(b));
}

function signatureFindings(csr: CsrFacts): Finding[] {
  if (csr.signature !== 'invalid') return [];
  return [
    {
      code: 'signature-invalid',
      severity: 'high',
      message:
        "The CSR's signature does not verify with its own public key: it was changed after it was signed, or not signed with this key.",
    },
  ];
}

/** The refusal of a `refuse` policy's findings, in one sentence naming each. */
export function refusalMessage(findings: Finding[]): string {
  return `subject.csr does not meet the profile's CSR policy: ${findings.map((finding) => `${finding.code} (${finding.message})`).join('; ')}`;
}
