import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import {
  buildRequestBody,
  type Draft,
  emptyDraft,
  idempotencyKeys,
  KIND_FIELDS,
  placeFieldErrors,
  shownFields,
} from '../../../console/src/newRequest';
import { KINDS, type Kind, SUBJECT_SCHEMAS } from '../../../functions/domain/kinds';
import { createRequestBodySchema } from '../../../functions/domain/bodies';

const csr = readFileSync(join(__dirname, '..', '..', 'fixtures', 'csr', 'ec-p256-extensions.csr'), 'utf8');

/** A draft with every field filled as a requester would, for any kind. */
const filled = (kind: Kind, overrides: Partial<Draft> = {}): Draft => ({
  ...emptyDraft(kind),
  profileId: 'cards',
  method: 'P10',
  subjectDn: ' CN=device-17.example.com,O=Example ',
  csr,
  serialNumber: '0A1B2C',
  issuerDn: 'CN=Issuing CA',
  reasonCode: 'keyCompromise',
  holderId: 'h-100',
  cardProfile: 'PIV standard',
  count: '3',
  cardSerial: 'CARD-1',
  justification: '  new employee  ',
  ...overrides,
});

describe('the create body the New request form sends', () => {
  it.each(KINDS)('for %s holds only the kind’s fields and is accepted by the API’s schemas', (kind) => {
    const body = buildRequestBody(filled(kind));
    expect(createRequestBodySchema.safeParse(body).success).toBe(true);
    expect(SUBJECT_SCHEMAS[kind].safeParse(body.subject).success).toBe(true);
    expect(Object.keys(body.subject as object).sort()).toEqual(KIND_FIELDS[kind].map((field) => field.slice(8)).sort());
    expect(body).toMatchObject({ kind, profileId: 'cards', justification: 'new employee' });
  });

  it('trims text, sends a whole-number count as a number and leaves out an empty reason and justification', () => {
    expect(buildRequestBody(filled('card.request-multiple', { justification: ' ' }))).toEqual({
      kind: 'card.request-multiple',
      profileId: 'cards',
      subject: { holderId: 'h-100', cardProfile: 'PIV standard', count: 3 },
    });
    expect(buildRequestBody(filled('certificate.revoke', { reasonCode: '' })).subject).toEqual({
      serialNumber: '0A1B2C',
      issuerDn: 'CN=Issuing CA',
    });
  });

  it('sends a count that is not a whole number as typed, so the API names the field', () => {
    expect((buildRequestBody(filled('card.request-multiple', { count: '2.5' })).subject as any).count).toBe('2.5');
    expect((buildRequestBody(filled('card.request-multiple', { count: '' })).subject as any).count).toBe('');
  });

  it('sends a CSR only with a P10 enrollment', () => {
    expect(buildRequestBody(filled('certificate.enroll', { method: 'ACME' })).subject).toEqual({
      method: 'ACME',
      subjectDn: 'CN=device-17.example.com,O=Example',
    });
    expect(shownFields({ kind: 'certificate.enroll', method: 'SCEP' })).not.toContain('subject.csr');
  });

  it('never sends a field its kind does not have, whatever was typed (property)', () => {
    const text = fc.string({ maxLength: 20 });
    const draft = fc.record({
      kind: fc.constantFrom(...KINDS),
      profileId: text,
      method: fc.constantFrom('P10', 'P12', 'ACME', 'SCEP'),
      subjectDn: text,
      csr: text,
      serialNumber: text,
      issuerDn: text,
      reasonCode: fc.constantFrom('', 'superseded'),
      holderId: text,
      cardProfile: text,
      count: text,
      cardSerial: text,
      justification: text,
    });
    fc.assert(
      fc.property(draft, (typed) => {
        const body = buildRequestBody(typed);
        const allowed = shownFields(typed).map((field) => field.slice(8));
        for (const key of Object.keys(body.subject as object)) expect(allowed).toContain(key);
        expect(body.kind).toBe(typed.kind);
        expect('justification' in body).toBe(typed.justification.trim() !== '');
      }),
    );
  });
});

describe('the API’s field problems on the form', () => {
  it('puts each problem on the field it names, the first message per field', () => {
    const placed = placeFieldErrors(
      [
        { field: 'subject.subjectDn', message: 'must name the same subject as the CSR' },
        { field: 'subject.subjectDn', message: 'second' },
        { field: 'profileId', message: 'no such profile' },
        { field: 'justification', message: 'must be at most 2000 characters' },
      ],
      { kind: 'certificate.enroll', method: 'P10' },
    );
    expect(placed).toEqual({
      fields: {
        'subject.subjectDn': 'must name the same subject as the CSR',
        profileId: 'no such profile',
        justification: 'must be at most 2000 characters',
      },
      unplaced: [],
    });
  });

  it('keeps problems of fields the form does not show for the kind for the form’s own message', () => {
    expect(
      placeFieldErrors(
        [
          { field: 'subject.csr', message: 'is required when method is P10' },
          { field: 'subject', message: 'must be at most 16 KB of JSON' },
          { field: 'callbackUrl', message: 'must be an http or https URL' },
        ],
        { kind: 'certificate.enroll', method: 'ACME' },
      ),
    ).toEqual({
      fields: {},
      unplaced: [
        'subject.csr is required when method is P10',
        'subject must be at most 16 KB of JSON',
        'callbackUrl must be an http or https URL',
      ],
    });
  });

  it('puts a deeper path on its field', () => {
    expect(
      placeFieldErrors([{ field: 'subject.count.x', message: 'bad' }], { kind: 'card.request-multiple', method: 'P10' }).fields,
    ).toEqual({
      'subject.count': 'bad',
    });
  });
});

describe('the Idempotency-Key of a form', () => {
  it('is the same for a repeated body and new for an edited one', () => {
    let next = 0;
    const keyFor = idempotencyKeys(() => `k-${++next}`);
    const body = buildRequestBody(filled('card.request'));
    expect(keyFor(body)).toBe('k-1');
    expect(keyFor(buildRequestBody(filled('card.request')))).toBe('k-1');
    expect(keyFor(buildRequestBody(filled('card.request', { holderId: 'h-200' })))).toBe('k-2');
    expect(keyFor(body)).toBe('k-3');
  });

  it('is a UUID by default, different per form', () => {
    const body = { kind: 'card.request' };
    const first = idempotencyKeys()(body);
    expect(first).toMatch(/^[0-9a-f-]{36}$/);
    expect(idempotencyKeys()(body)).not.toBe(first);
  });
});
