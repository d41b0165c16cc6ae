/**
 * The profile editor's certificate request policy: the draft as typed, the `csrPolicy` body sent to
 * the API, and the API's 400 issues placed on the draft's fields.
 */
import type { CsrPolicy, KEY_ALGORITHMS } from '../../functions/domain/csr-policy';
import type { FieldIssue } from './api';

export type KeyAlgorithm = (typeof KEY_ALGORITHMS)[number];

/** The profile's csrPolicy as the editor holds it: text as typed, so the API's own validation speaks. */
export interface CsrPolicyDraft {
  /** '' when CSRs are not checked (no csrPolicy). */
  enforce: '' | CsrPolicy['enforce'];
  keyAlgorithms: KeyAlgorithm[];
  minRsaBits: string;
  minEcBits: string;
  /** One domain per line. */
  allowedDomains: string;
  allowWildcards: boolean;
  maxSans: string;
}
export type CsrPolicyField = keyof CsrPolicyDraft;
export type CsrPolicyErrors = Partial<Record<CsrPolicyField, string>>;

const FIELDS: readonly CsrPolicyField[] = [
  'enforce',
  'keyAlgorithms',
  'minRsaBits',
  'minEcBits',
  'allowedDomains',
  'allowWildcards',
  'maxSans',
];

export function csrPolicyDraft(policy?: CsrPolicy): CsrPolicyDraft {
  const text = (value: number | undefined) => (value === undefined ? '' : String(value));
  return {
    enforce: policy?.enforce ?? '',
    keyAlgorithms: policy?.keyAlgorithms ?? [],
    minRsaBits: text(policy?.minRsaBits),
    minEcBits: text(policy?.minEcBits),
    allowedDomains: (policy?.allowedDomains ?? []).join('\n'),
    allowWildcards: policy?.allowWildcards ?? false,
    maxSans: text(policy?.maxSans),
  };
}

/** A number when the text is one, else the text itself (the API names the field and says why). */
const numberOrText = (text: string) => (Number.isFinite(Number(text)) ? Number(text) : text);
const optionalNumber = (name: string, text: string) => (text.trim() === '' ? {} : { [name]: numberOrText(text.trim()) });

/** The `csrPolicy` part of the profile body: none when CSRs are not checked; empty fields left out. */
export function csrPolicyBody(draft: CsrPolicyDraft): { csrPolicy?: Record<string, unknown> } {
  if (!draft.enforce) return {};
  const domains = draft.allowedDomains.split(/[\s,;]+/).filter(Boolean);
  return {
    csrPolicy: {
      enforce: draft.enforce,
      ...(draft.keyAlgorithms.length ? { keyAlgorithms: draft.keyAlgorithms } : {}),
      ...optionalNumber('minRsaBits', draft.minRsaBits),
      ...optionalNumber('minEcBits', draft.minEcBits),
      ...(domains.length ? { allowedDomains: domains } : {}),
      allowWildcards: draft.allowWildcards,
      ...optionalNumber('maxSans', draft.maxSans),
    },
  };
}

/**
 * The API's 400 issues under `csrPolicy` on this section's fields (`csrPolicy.allowedDomains.1` on
 * Allowed domains, `csrPolicy` itself on Enforcement), and the other issues for the rest of the form.
 */
export function csrPolicyErrors(issues: FieldIssue[]): { errors: CsrPolicyErrors; rest: FieldIssue[] } {
  const errors: CsrPolicyErrors = {};
  const rest: FieldIssue[] = [];
  for (const issue of issues) {
    const [top, field, index] = issue.field.split('.');
    if (top !== 'csrPolicy') {
      rest.push(issue);
      continue;
    }
    const known = FIELDS.find((name) => name === field) ?? 'enforce';
    const where =
      index !== undefined && /^\d+$/.test(index) ? `${field === 'allowedDomains' ? 'Line' : 'Item'} ${Number(index) + 1}: ` : '';
    errors[known] ??= known === field ? `${where}${issue.message}` : `${issue.field} ${issue.message}`;
  }
  return { errors, rest };
}
