import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Attributes, CertificationRequest } from '@peculiar/asn1-csr';
import { AsnConvert } from '@peculiar/asn1-schema';
import { Attribute, AttributeValue } from '@peculiar/asn1-x509';
import fc from 'fast-check';
import { assertP10CsrParses, csrProblem, describeCsr } from '../../../functions/domain/csr';
import { ATTRIBUTE_NAMES, foldValue, namesSubject, parseDn, type Rdn } from '../../../functions/domain/dn';
import { makeCsr } from '../../helpers/csr';

const fixture = (name: string) => readFileSync(join(__dirname, '../../fixtures/csr', name), 'utf8');
const pemBody = (pem: string) => pem.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, '');
const SUBJECTS: Record<string, string> = {
  'rsa-3072.csr': 'CN=web.example.com,O=Example',
  'ec-p384.csr': 'CN=ec.example.com',
  'multi-rdn-p256.csr': 'C=DE, O=Example Corp, OU=IT+CN=app.example.com',
};
const enroll = (csr: string, method = 'P10', subjectDn = 'CN=x') => ({ kind: 'certificate.enroll', subject: { method, subjectDn, csr } });
const refusal = (fn: () => void) => {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
};

describe('a P10 enrollment CSR', () => {
  test.each(Object.keys(SUBJECTS))('%s parses as a PKCS#10 request and is accepted with its subject', (name) => {
    expect(csrProblem(fixture(name))).toBeUndefined();
    expect(() => assertP10CsrParses(enroll(fixture(name), 'P10', SUBJECTS[name]))).not.toThrow();
  });

  test.each(['truncated.csr', 'not-der.csr'])('%s, PEM-shaped but not PKCS#10, is refused naming subject.csr', (name) => {
    expect(csrProblem(fixture(name))).toEqual(expect.any(String));
    let thrown: unknown;
    try {
      assertP10CsrParses(enroll(fixture(name)));
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toMatchObject({
      code: 'invalid_request',
      message: 'subject.csr is not a PKCS#10 certificate request',
      details: [{ field: 'subject.csr', message: expect.stringMatching(/^is not a PKCS#10 certificate request \(.+\)$/) }],
    });
  });

  test('a subject value in a string type the schemas do not read (a VisibleString CN) is refused, never read as hex past the policy', () => {
    const request = AsnConvert.parse(Buffer.from(pemBody(fixture('rsa-3072.csr')), 'base64'), CertificationRequest);
    const cn = request.certificationRequestInfo.subject.flat().find((attribute) => attribute.type === '2.5.4.3');
    if (!cn) throw new Error('the fixture has no CN');
    const text = Buffer.from('web.exomple.com');
    // VisibleString (tag 26) holding the name: the schemas keep it as anyValue.
    cn.value = new AttributeValue({ anyValue: new Uint8Array([26, text.length, ...text]).buffer });
    const der = Buffer.from(AsnConvert.serialize(request)).toString('base64');
    const pem = `-----BEGIN CERTIFICATE REQUEST-----\n${der}\n-----END CERTIFICATE REQUEST-----`;
    expect(csrProblem(pem)).toMatch(/^has a subject attribute \(2\.5\.4\.3\) in a string type this service does not read/);
    expect(refusal(() => assertP10CsrParses(enroll(pem, 'P10', 'CN=web.exomple.com,O=Example')))).toMatchObject({
      code: 'invalid_request',
      details: [{ field: 'subject.csr' }],
    });
  });

  test('a CSR that repeats an extension (two subjectAltNames: a CA reads one, approvers could not know which) is refused naming subject.csr', async () => {
    const twice = await makeCsr({ subject: 'CN=www.good.example', names: ['dns:www.good.example'], moreNames: ['dns:login.bank.example'] });
    expect(refusal(() => assertP10CsrParses(enroll(twice, 'P10', 'CN=www.good.example')))).toMatchObject({
      code: 'invalid_request',
      message: 'subject.csr repeats the subjectAltName extension in its extension request (a CA reads only one of them)',
      details: [{ field: 'subject.csr' }],
    });
    const once = await makeCsr({ subject: 'CN=www.good.example', names: ['dns:www.good.example', 'dns:login.good.example'] });
    expect(() => assertP10CsrParses(enroll(once, 'P10', 'CN=www.good.example'))).not.toThrow();
  });

  test("a subjectAltName in Microsoft's certificate extensions attribute (which AD CS reads) counts: repeated, it is refused; alone, its names are shown", async () => {
    const pem = await makeCsr({ subject: 'CN=www.good.example', names: ['dns:www.good.example'] });
    const request = AsnConvert.parse(Buffer.from(pemBody(pem), 'base64'), CertificationRequest);
    const other = AsnConvert.parse(
      Buffer.from(pemBody(await makeCsr({ subject: 'CN=x', names: ['dns:login.bank.example'] })), 'base64'),
      CertificationRequest,
    );
    const msAttribute = (from: CertificationRequest) =>
      new Attribute({ type: '1.3.6.1.4.1.311.2.1.14', values: from.certificationRequestInfo.attributes[0]?.values ?? [] });
    const withMs = (attributes: Attribute[]) => {
      request.certificationRequestInfo.attributes = new Attributes(attributes);
      return `-----BEGIN CERTIFICATE REQUEST-----\n${Buffer.from(AsnConvert.serialize(request)).toString('base64')}\n-----END CERTIFICATE REQUEST-----`;
    };
    const original = [...request.certificationRequestInfo.attributes];
    const both = withMs([...original, msAttribute(other)]);
    expect(refusal(() => assertP10CsrParses(enroll(both, 'P10', 'CN=www.good.example')))).toMatchObject({
      code: 'invalid_request',
      message: 'subject.csr repeats the subjectAltName extension in its extension request (a CA reads only one of them)',
    });
    const alone = withMs([msAttribute(other)]);
    expect(describeCsr(alone)?.subjectAlternativeNames).toEqual(['DNS:login.bank.example']);
  });

  test('other methods and kinds are not read as CSRs', () => {
    expect(() => assertP10CsrParses(enroll(fixture('not-der.csr'), 'P12'))).not.toThrow();
    expect(() => assertP10CsrParses({ kind: 'card.request', subject: { csr: fixture('not-der.csr') } })).not.toThrow();
  });
});

describe("a P10's subjectDn names the CSR's subject", () => {
  const rsa = fixture('rsa-3072.csr');
  const multi = fixture('multi-rdn-p256.csr');

  test.each([
    ['the same RDNs, first first', rsa, 'CN=web.example.com,O=Example'],
    ["RFC 4514's order (last RDN first)", rsa, 'O=Example,CN=web.example.com'],
    ['other case and spaces', rsa, ' cn = WEB.Example.COM ;  o=example '],
    ['types as OIDs', rsa, '2.5.4.3=web.example.com, OID.2.5.4.10=Example'],
    ['a multi-valued RDN in another order, and folded inner spaces', multi, 'C=de,O=Example Corp,CN=app.example.com+OU=it'],
    ['escaped and quoted values', rsa, 'CN=web\\2eexample.com,O="Example"'],
  ])('%s: accepted', (_case, csr, subjectDn) => {
    expect(refusal(() => assertP10CsrParses(enroll(csr, 'P10', subjectDn)))).toBeUndefined();
  });

  test.each([
    ['another name (the harmless one shown, another one issued)', rsa, 'CN=harmless.example.com,O=Example'],
    ['one RDN less', rsa, 'CN=web.example.com'],
    ['one RDN more', rsa, 'CN=web.example.com,O=Example,OU=x'],
    ['another type for the same value', rsa, 'CN=web.example.com,OU=Example'],
    ['the RDNs shuffled (neither order)', multi, 'O=Example Corp,C=DE,OU=IT+CN=app.example.com'],
    ['a multi-valued RDN split in two', multi, 'C=DE,O=Example Corp,OU=IT,CN=app.example.com'],
    ['an unknown attribute type', rsa, 'XX=web.example.com,O=Example'],
    ['no DN at all', rsa, 'web.example.com'],
    ['an escaped comma making one value of two', rsa, 'CN=web.example.com\\,O=Example'],
  ])('%s: 400 naming subject.subjectDn and the subject the CSR asks for', (_case, csr, subjectDn) => {
    expect(refusal(() => assertP10CsrParses(enroll(csr, 'P10', subjectDn)))).toMatchObject({
      code: 'invalid_request',
      details: [{ field: 'subject.subjectDn', message: expect.stringContaining('does not name the subject of the CSR (') }],
    });
  });

  // Any RDN sequence: written either way round, in any case and with extra spaces, it matches; any
  // change of one value, one type, or one RDN more or less, and it does not.
  const oids = Object.keys(ATTRIBUTE_NAMES);
  const value = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9 .,+=#"\\;<>-]{0,12}$/);
  const rdns = fc.array(fc.array(fc.record({ type: fc.constantFrom(...oids), value }), { minLength: 1, maxLength: 2 }), {
    minLength: 1,
    maxLength: 5,
  });
  const escapeValue = (text: string) => text.replace(/[,+"\\<>;=]/g, (char) => `\\${char}`);
  const write = (sequence: Rdn[], options: { reverse: boolean; upper: boolean }) =>
    (options.reverse ? [...sequence].reverse() : sequence)
      .map((rdn) =>
        rdn
          .map(({ type, value: text }) => `${ATTRIBUTE_NAMES[type]} = ${escapeValue(options.upper ? text.toUpperCase() : text)}`)
          .join(' + '),
      )
      .join(' , ');
  const fold = (sequence: Rdn[]) => sequence.map((rdn) => rdn.map(({ type, value: text }) => ({ type, value: foldValue(text) })));
  const distinct = (sequence: Rdn[]) => new Set(sequence.flat().map(({ type }) => type)).size === sequence.flat().length;

  test('property: a DN written from the same RDNs matches, either way round, whatever the case', () => {
    fc.assert(
      fc.property(rdns, fc.boolean(), fc.boolean(), (sequence, reverse, upper) => {
        fc.pre(distinct(sequence) && sequence.flat().every(({ value: text }) => foldValue(text) !== ''));
        expect(parseDn(write(sequence, { reverse, upper }))).not.toEqual(expect.any(String));
        expect(namesSubject(write(sequence, { reverse, upper }), fold(sequence))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  test('property: one value, type or RDN changed and it does not match', () => {
    fc.assert(
      fc.property(rdns, fc.nat(), fc.constantFrom('value', 'type', 'drop', 'add'), (sequence, pick, change) => {
        fc.pre(distinct(sequence) && sequence.length > 1 && sequence.flat().every(({ value: text }) => foldValue(text) !== ''));
        const index = pick % sequence.length;
        const target = sequence[index] as Rdn;
        const first = target[0] as Rdn[number];
        const changed: Rdn[] = sequence.map((rdn) => [...rdn]);
        if (change === 'value') changed[index] = [{ ...first, value: `${first.value}x` }, ...target.slice(1)];
        if (change === 'type') {
          const other = oids.find((oid) => !sequence.flat().some(({ type }) => type === oid)) as string;
          changed[index] = [{ ...first, type: other }, ...target.slice(1)];
        }
        if (change === 'drop') changed.splice(index, 1);
        if (change === 'add') changed.push([{ type: '2.5.4.11', value: 'added' }]);
        fc.pre(!(change === 'add' && sequence.flat().some(({ type }) => type === '2.5.4.11')));
        expect(namesSubject(write(changed, { reverse: false, upper: false }), fold(sequence))).toBe(false);
      }),
      { numRuns: 300 },
    );
  });
});

describe('a CSR decoded for people', () => {
  test.each([
    [
      'rsa-3072.csr',
      {
        subject: 'CN=web.example.com, O=Example',
        key: 'RSA 3072 bits',
        subjectAlternativeNames: ['DNS:web.example.com', 'DNS:www.example.com', 'IP:10.0.0.1'],
      },
    ],
    ['ec-p384.csr', { subject: 'CN=ec.example.com', key: 'EC P-384 (384 bits)', subjectAlternativeNames: [] }],
    [
      'multi-rdn-p256.csr',
      {
        subject: 'C=DE, O=Example  Corp, OU=IT+CN=app.example.com',
        key: 'EC P-256 (256 bits)',
        subjectAlternativeNames: ['DNS:app.example.com', 'URI:https://app.example.com/x', 'email:ops@example.com'],
      },
    ],
  ])('%s: subject, key algorithm and size, SANs', (name, expected) => {
    expect(describeCsr(fixture(name))).toEqual(expected);
  });

  test('one that does not parse is undefined, never thrown', () => {
    expect(describeCsr(fixture('truncated.csr'))).toBeUndefined();
    expect(describeCsr('not a csr')).toBeUndefined();
  });
});
