import { csrPolicyBody, csrPolicyDraft, csrPolicyErrors } from '../../../console/src/csrPolicy';
import { csrPolicySchema } from '../../../functions/domain/csr-policy';

describe("the profile editor's certificate request policy", () => {
  test('a stored policy round-trips through the draft to the same body the API stores', () => {
    const policy = csrPolicySchema.parse({
      enforce: 'refuse',
      keyAlgorithms: ['RSA', 'EC'],
      minRsaBits: 3072,
      minEcBits: 256,
      allowedDomains: ['example.com', 'corp.example'],
      allowWildcards: true,
      maxSans: 10,
    });
    const draft = csrPolicyDraft(policy);
    expect(draft).toMatchObject({ allowedDomains: 'example.com\ncorp.example', minRsaBits: '3072', maxSans: '10' });
    expect(csrPolicySchema.parse(csrPolicyBody(draft).csrPolicy)).toEqual(policy);
  });

  test('"Not checked" sends no csrPolicy; empty fields are left out; what is not a number goes as typed for the API to name', () => {
    expect(csrPolicyBody(csrPolicyDraft())).toEqual({});
    expect(
      csrPolicyBody({ ...csrPolicyDraft(), enforce: 'flag', minRsaBits: ' ', maxSans: 'ten', allowedDomains: 'a.example\n\n b.example ' }),
    ).toEqual({
      csrPolicy: { enforce: 'flag', allowedDomains: ['a.example', 'b.example'], allowWildcards: false, maxSans: 'ten' },
    });
  });

  test("the API's issues go on the section's fields (a domain by its line), the others to the rest of the form", () => {
    const { errors, rest } = csrPolicyErrors([
      { field: 'csrPolicy.allowedDomains.1', message: 'must be a domain such as example.com' },
      { field: 'csrPolicy.minRsaBits', message: 'must be at least 1024' },
      { field: 'csrPolicy', message: 'has unknown field(s): x' },
      { field: 'name', message: 'must not be empty' },
    ]);
    expect(errors).toEqual({
      allowedDomains: 'Line 2: must be a domain such as example.com',
      minRsaBits: 'must be at least 1024',
      enforce: 'csrPolicy has unknown field(s): x',
    });
    expect(rest).toEqual([{ field: 'name', message: 'must not be empty' }]);
  });
});
