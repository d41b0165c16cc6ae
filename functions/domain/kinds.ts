import * as z from './zod';

/** Every kind of request the service handles, with the schema of its `subject`. */
const text = (max = 1024) =>
  z.string().check(z.trim(), z.minLength(1, 'must not be empty'), z.maxLength(max, `must be at most ${max} characters`));
const hex = z.string().check(z.trim(), z.regex(/^(0x)?[0-9a-fA-F]{1,128}$/, 'must be a hexadecimal string of at most 128 digits'));
const pem = z
  .string()
  .check(
    z.maxLength(16384, 'must be at most 16384 characters'),
    z.regex(
      /-----BEGIN (NEW )?CERTIFICATE REQUEST-----[\s\S]+-----END (NEW )?CERTIFICATE REQUEST-----/,
      'must be a PEM-encoded certificate request',
    ),
  );

/** The RFC 5280 CRLReason names a revoke or a lock may give (`removeFromCRL` is no reason to revoke). */
export const CRL_REASONS = [
  'keyCompromise',
  'superseded',
  'cessationOfOperation',
  'affiliationChanged',
  'privilegeWithdrawn',
  'cACompromise',
  'aACompromise',
  'certificateHold',
  'unspecified',
] as const;
export type CrlReason = (typeof CRL_REASONS)[number];

/** Each CRLReason in words, for emails and pages. */
export const CRL_REASON_LABELS: Record<CrlReason, string> = {
  keyCompromise: 'Key compromise',
  superseded: 'Superseded',
  cessationOfOperation: 'Cessation of operation',
  affiliationChanged: 'Affiliation changed',
  privilegeWithdrawn: 'Privilege withdrawn',
  cACompromise: 'CA compromise',
  aACompromise: 'AA compromise',
  certificateHold: 'Certificate hold',
  unspecified: 'Unspecified',
};

const certificateTarget = z.looseObject({
  serialNumber: hex,
  issuerDn: text(),
  reasonCode: z.optional(z.enum(CRL_REASONS)).check(z.describe('Why, as an RFC 5280 CRLReason name.')),
});
const cardTarget = z.looseObject({ cardSerial: text(128), holderId: text(256) });

export const SUBJECT_SCHEMAS = {
  'certificate.enroll': z
    .looseObject({
      method: z.enum(['P10', 'P12', 'ACME', 'SCEP']),
      subjectDn: text(),
      csr: z.optional(pem),
    })
    .check(
      z.superRefine((subject, ctx) => {
        if (subject.method === 'P10' && subject.csr === undefined) {
          ctx.addIssue({ code: 'custom', path: ['csr'], message: 'is required when method is P10' });
        }
      }),
    ),
  'certificate.revoke': certificateTarget,
  'certificate.lock': certificateTarget,
  'card.request': z.looseObject({ holderId: text(256), cardProfile: text(256) }),
  'card.request-multiple': z.looseObject({
    holderId: text(256),
    cardProfile: text(256),
    count: z.number().check(z.int('must be an integer'), z.minimum(1), z.maximum(100)),
  }),
  'card.deactivate': cardTarget,
  'card.reactivate': cardTarget,
  'card.lock': cardTarget,
} as const;

export type Kind = keyof typeof SUBJECT_SCHEMAS;
export const KINDS = Object.keys(SUBJECT_SCHEMAS) as [Kind, ...Kind[]];

/**
 * The subject fields the service reads for a kind, in the contract's order: its schema's, then
 * `holderEmail`, read for every kind (the holder never approves). Emails, link pages and the console
 * show these first and any other key apart, as given by the requester. Own properties only: a kind
 * such as `toString` has none.
 */
export function knownSubjectFields(kind: string): readonly string[] {
  const own = Object.hasOwn(SUBJECT_SCHEMAS, kind) ? Object.keys(SUBJECT_SCHEMAS[kind as Kind].shape) : [];
  return [...own, 'holderEmail'];
}
export const kindSchema = z.enum(KINDS);

/** Human wording of a kind, for emails and pages. */
export const KIND_LABELS: Record<Kind, string> = {
  'certificate.enroll': 'Enroll a certificate',
  'certificate.revoke': 'Revoke a certificate',
  'certificate.lock': 'Lock a certificate',
  'card.request': 'Request a smart card',
  'card.request-multiple': 'Request several smart cards',
  'card.deactivate': 'Deactivate a smart card',
  'card.reactivate': 'Reactivate a smart card',
  'card.lock': 'Lock a smart card',
};
