import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { assertP10CsrParses, csrProblem } from '../../../functions/domain/csr';

const fixture = (name: string) => readFileSync(join(__dirname, '../../fixtures/csr', name), 'utf8');
const enroll = (csr: string, method = 'P10') => ({ kind: 'certificate.enroll', subject: { method, subjectDn: 'CN=x', csr } });

describe('a P10 enrollment CSR', () => {
  test.each(['rsa-3072.csr', 'ec-p384.csr'])('%s parses as a PKCS#10 request and is accepted', (name) => {
    expect(csrProblem(fixture(name))).toBeUndefined();
    expect(() => assertP10CsrParses(enroll(fixture(name)))).not.toThrow();
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

  test('other methods and kinds are not read as CSRs', () => {
    expect(() => assertP10CsrParses(enroll(fixture('not-der.csr'), 'P12'))).not.toThrow();
    expect(() => assertP10CsrParses({ kind: 'card.request', subject: { csr: fixture('not-der.csr') } })).not.toThrow();
  });
});
