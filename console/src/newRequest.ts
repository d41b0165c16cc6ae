/**
 * The New request form without React: which subject fields each kind asks for, the create body built
 * from what was typed, and the API's field problems placed on the form's fields.
 */
import { CRL_REASONS } from '../../functions/domain/kinds';
import type { FieldIssue, Kind } from './api';

/** Every field the form may show, named by its path in the create body, as the API names them in `details[].field`. */
export const FORM_FIELDS = [
  'kind',
  'profileId',
  'subject.method',
  'subject.subjectDn',
  'subject.csr',
  'subject.serialNumber',
  'subject.issuerDn',
  'subject.reasonCode',
  'subject.holderId',
  'subject.cardProfile',
  'subject.count',
  'subject.cardSerial',
  'justification',
] as const;
export type FormFieldName = (typeof FORM_FIELDS)[number];
export type SubjectFieldName = Extract<FormFieldName, `subject.${string}`>;

export const ENROLL_METHODS = ['P10', 'P12', 'ACME', 'SCEP'] as const;
export { CRL_REASONS };

/** What the user typed, all text; the body builder turns it into the API's types. */
export interface Draft {
  kind: Kind;
  profileId: string;
  method: string;
  subjectDn: string;
  csr: string;
  serialNumber: string;
  issuerDn: string;
  reasonCode: string;
  holderId: string;
  cardProfile: string;
  count: string;
  cardSerial: string;
  justification: string;
}

export const emptyDraft = (kind: Kind = 'card.request'): Draft => ({
  kind,
  profileId: '',
  method: 'P10',
  subjectDn: '',
  csr: '',
  serialNumber: '',
  issuerDn: '',
  reasonCode: '',
  holderId: '',
  cardProfile: '',
  count: '1',
  cardSerial: '',
  justification: '',
});

const CERTIFICATE_TARGET: SubjectFieldName[] = ['subject.serialNumber', 'subject.issuerDn', 'subject.reasonCode'];
const CARD_TARGET: SubjectFieldName[] = ['subject.holderId', 'subject.cardSerial'];

/** The subject fields of each kind, in the form's order (the contract's "Kinds and their subject"). */
export const KIND_FIELDS: Record<Kind, SubjectFieldName[]> = {
  'certificate.enroll': ['subject.method', 'subject.subjectDn', 'subject.csr'],
  'certificate.revoke': CERTIFICATE_TARGET,
  'certificate.lock': CERTIFICATE_TARGET,
  'card.request': ['subject.holderId', 'subject.cardProfile'],
  'card.request-multiple': ['subject.holderId', 'subject.cardProfile', 'subject.count'],
  'card.deactivate': CARD_TARGET,
  'card.reactivate': CARD_TARGET,
  'card.lock': CARD_TARGET,
};

/** The subject fields the form shows for this draft: a CSR only for a P10 enrollment. */
export function shownFields(draft: Pick<Draft, 'kind' | 'method'>): SubjectFieldName[] {
  return KIND_FIELDS[draft.kind].filter((field) => field !== 'subject.csr' || draft.method === 'P10');
}

/** A whole number as a number; anything else as typed, so the API names the field and says what is wrong. */
const countOf = (text: string) => (/^\s*\d+\s*$/.test(text) ? Number(text) : text);

/**
 * The `POST /requests` body for the draft: only the kind's fields, optional ones left out when empty,
 * required ones sent even when empty (the API's message then names them).
 */
export function buildRequestBody(draft: Draft): Record<string, unknown> {
  const subject: Record<string, unknown> = {};
  for (const field of shownFields(draft)) {
    const name = field.slice('subject.'.length) as keyof Draft;
    if (name === 'count') subject.count = countOf(draft.count);
    else if (name === 'reasonCode') {
      if (draft.reasonCode) subject.reasonCode = draft.reasonCode;
    } else if (name === 'csr') subject.csr = draft.csr.trim();
    else subject[name] = draft[name].trim();
  }
  const justification = draft.justification.trim();
  return { kind: draft.kind, profileId: draft.profileId, subject, ...(justification ? { justification } : {}) };
}

export interface PlacedErrors {
  /** The first message for each field the form shows. */
  fields: Partial<Record<FormFieldName, string>>;
  /** Problems with no field on the form, as `field message`, for the form's own error text. */
  unplaced: string[];
}

/** Puts each of the API's field problems on the field it names when the form shows that field for the kind. */
export function placeFieldErrors(issues: FieldIssue[], draft: Pick<Draft, 'kind' | 'method'>): PlacedErrors {
  const shown = new Set<string>(['kind', 'profileId', 'justification', ...shownFields(draft)]);
  const fields: PlacedErrors['fields'] = {};
  const unplaced: string[] = [];
  for (const issue of issues) {
    // `subject.count` as given; a deeper path (an array item, a nested key) belongs to its field.
    const field = issue.field
      .split('.')
      .slice(0, issue.field.startsWith('subject.') ? 2 : 1)
      .join('.');
    if (shown.has(field)) fields[field as FormFieldName] ??= issue.message;
    else unplaced.push(`${issue.field} ${issue.message}`);
  }
  return { fields, unplaced };
}

/**
 * One Idempotency-Key per form and body: a second click on the same body reuses the key (so the API
 * creates one request), while an edited body after a refusal gets a fresh key.
 */
export function idempotencyKeys(newKey: () => string = () => crypto.randomUUID()) {
  let last: { body: string; key: string } | undefined;
  return (body: unknown): string => {
    const text = JSON.stringify(body);
    if (last?.body !== text) last = { body: text, key: newKey() };
    return last.key;
  };
}
