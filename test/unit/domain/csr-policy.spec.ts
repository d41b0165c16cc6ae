import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { applyCsrPolicy, assertP10CsrParses, csrFacts } from '../../../functions/domain/csr';
import { type CsrFacts, type CsrPolicy, checkCsr, isHostName, isUnderDomain } from '../../../functions/domain/csr-policy';
import { profileBodySchema } from '../../../functions/domain/profile';
import { parse } from '../../../functions/domain/validation';
import { makeCsr, type TestKey, type TestName } from '../../helpers/csr';

const policy = (fields: Partial<CsrPolicy> = {}): CsrPolicy => ({ allowWildcards: false, enforce: 'flag', ...fields });
const facts = async (subject: string, key?: TestKey, names: TestName[] = []) => {
  const read = csrFacts(await makeCsr({ subject, key, names }));
  if (!read) throw new Error('the test CSR did not parse');
  return read;
};
const codes = (findings: Array<{ code: string }>) => findings.map((finding) => finding.code);
const enroll = (csr: string, subjectDn: string) => ({ kind: 'certificate.enroll', subject: { method: 'P10', subjectDn, csr } });
const thrown = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
};

describe('real CSRs read for the policy', () => {
  test.each<[string, TestKey, Partial<CsrFacts>]>([
    ['RSA 1024', { rsa: 1024 }, { keyAlgorithm: 'RSA', keyBits: 1024, keyLabel: 'RSA 1024 bits' }],
    ['RSA 3072', { rsa: 3072 }, { keyAlgorithm: 'RSA', keyBits: 3072 }],
    ['P-256', { ec: 'P-256' }, { keyAlgorithm: 'EC', keyBits: 256, keyLabel: 'EC P-256 (256 bits)' }],
    ['Ed25519', 'Ed25519', { keyAlgorithm: 'Ed25519', keyLabel: 'Ed25519' }],
  ])('%s: the key algorithm and size; its signature verifies', async (_name, key, expected) => {
    expect(await facts('CN=web.example.com', key)).toMatchObject({ ...expected, signature: 'valid' });
  });

  test("a CSR changed after signing (a CN's letter) does not verify: signature-invalid, high, whatever the policy's settings", () => {
    const altered = readFileSync(join(__dirname, '../../fixtures/csr/ec-p256-bad-signature.csr'), 'utf8');
    const read = csrFacts(altered);
    expect(read).toMatchObject({ commonNames: ['device-87.example.com'], signature: 'invalid' });
    expect(checkCsr(policy(), read as CsrFacts)).toEqual([
      { code: 'signature-invalid', severity: 'high', message: expect.stringContaining('changed after it was signed') },
    ]);
    const refusing = profileBodySchema.parse({
      name: 'p',
      requireApprovalFor: ['certificate.enroll'],
      approvers: ['carol@example.com'],
      requiredApprovals: 1,
      remindAfter: 'PT1H',
      expireAfter: 'P1D',
      csrPolicy: { enforce: 'refuse' },
    });
    expect(thrown(() => applyCsrPolicy(refusing.csrPolicy, enroll(altered, 'CN=device-87.example.com,O=Example')))).toMatchObject({
      code: 'invalid_request',
      message: expect.stringContaining('signature-invalid'),
    });
  });

  test('CN values, DNS names and the other names apart', async () => {
    expect(
      await facts('CN=web.example.com, O=Example', undefined, [
        'dns:web.example.com',
        'dns:*.api.example.com',
        'ip:10.0.0.1',
        'email:a@example.com',
      ]),
    ).toMatchObject({
      commonNames: ['web.example.com'],
      dnsNames: ['web.example.com', '*.api.example.com'],
      otherNames: ['IP:10.0.0.1', 'email:a@example.com'],
    });
  });
});

describe('key algorithm and minimum size', () => {
  test('RSA 1024 under minRsaBits 2048: key-too-small, high, saying both sizes', async () => {
    expect(checkCsr(policy({ minRsaBits: 2048 }), await facts('CN=a.example.com', { rsa: 1024 }))).toEqual([
      { code: 'key-too-small', severity: 'high', message: 'The RSA key has 1024 bits; this profile needs at least 2048.' },
    ]);
  });

  test('RSA 3072 meets minRsaBits 3072 and is not held to minEcBits', async () => {
    expect(checkCsr(policy({ minRsaBits: 3072, minEcBits: 384 }), await facts('CN=a.example.com', { rsa: 3072 }))).toEqual([]);
  });

  test('P-256 under minEcBits 384: key-too-small; meets minEcBits 256 and is not held to minRsaBits', async () => {
    const p256 = await facts('CN=a.example.com', { ec: 'P-256' });
    expect(checkCsr(policy({ minEcBits: 384 }), p256)).toEqual([
      { code: 'key-too-small', severity: 'high', message: 'The EC key has 256 bits; this profile needs at least 384.' },
    ]);
    expect(checkCsr(policy({ minEcBits: 256, minRsaBits: 4096 }), p256)).toEqual([]);
  });

  test('Ed25519 where only RSA and EC are allowed: key-algorithm-not-allowed naming the key and the list', async () => {
    const ed = await facts('CN=a.example.com', 'Ed25519');
    expect(checkCsr(policy({ keyAlgorithms: ['RSA', 'EC'] }), ed)).toEqual([
      { code: 'key-algorithm-not-allowed', severity: 'high', message: 'The key is Ed25519; this profile accepts only RSA, EC keys.' },
    ]);
    expect(checkCsr(policy({ keyAlgorithms: ['Ed25519'], minRsaBits: 4096, minEcBits: 521 }), ed)).toEqual([]);
  });

  test('P-256 where only RSA is allowed: not allowed (one finding, not also a size)', async () => {
    expect(codes(checkCsr(policy({ keyAlgorithms: ['RSA'], minEcBits: 384 }), await facts('CN=a.example.com', { ec: 'P-256' })))).toEqual([
      'key-algorithm-not-allowed',
    ]);
  });
});

describe('names under the allowed domains', () => {
  const domains = policy({ allowedDomains: ['example.com'] });

  test('a foreign domain, and one that only ends in the same letters, are named', async () => {
    const findings = checkCsr(
      domains,
      await facts('CN=web.example.com', undefined, ['dns:web.example.com', 'dns:evil-example.com', 'dns:shop.evil.org']),
    );
    expect(findings).toEqual([
      {
        code: 'domain-not-allowed',
        severity: 'high',
        message: '"evil-example.com", "shop.evil.org" are not under the allowed domains (example.com).',
      },
    ]);
  });

  test('the CN counts when it is a host name, not when it is a person', async () => {
    expect(checkCsr(domains, await facts('CN=web.evil.org, O=Example', undefined, ['dns:web.example.com']))).toEqual([
      expect.objectContaining({ code: 'domain-not-allowed', message: expect.stringContaining('"web.evil.org" is not under') }),
    ]);
    expect(checkCsr(domains, await facts('CN=Alice Smith, O=Example', undefined, ['dns:alice.example.com']))).toEqual([]);
  });

  test('case and a trailing dot do not matter; the domain itself and deep names are under it', async () => {
    expect(checkCsr(domains, await facts('CN=WEB.Example.COM.', undefined, ['dns:Example.com', 'dns:a.b.c.EXAMPLE.com.']))).toEqual([]);
  });

  test('an IP address or email among the names cannot be vouched for: name-not-checked, medium', async () => {
    expect(checkCsr(domains, await facts('CN=web.example.com', undefined, ['dns:web.example.com', 'ip:10.0.0.1']))).toEqual([
      {
        code: 'name-not-checked',
        severity: 'medium',
        message: 'The CSR also asks for "IP:10.0.0.1", which is not a DNS name: the allowed domains cannot vouch for it.',
      },
    ]);
    expect(checkCsr(policy(), await facts('CN=web.example.com', undefined, ['ip:10.0.0.1']))).toEqual([]);
  });

  test('a DNS name that is not one (an underscore, a * inside a label) is named', async () => {
    expect(
      checkCsr(policy({ allowWildcards: true }), await facts('CN=x', undefined, ['dns:my_host.example.com', 'dns:w*.example.com'])),
    ).toEqual([
      expect.objectContaining({
        code: 'dns-name-invalid',
        severity: 'medium',
        message: expect.stringContaining('"my_host.example.com", "w*.example.com"'),
      }),
    ]);
  });
});

describe('wildcards and the number of names', () => {
  test('a wildcard DNS name or CN is a finding unless allowWildcards', async () => {
    const wildcard = await facts('CN=*.example.com', undefined, ['dns:*.example.com', 'dns:example.com']);
    expect(checkCsr(policy({ allowedDomains: ['example.com'] }), wildcard)).toEqual([
      {
        code: 'wildcard-not-allowed',
        severity: 'medium',
        message: '"*.example.com" is a wildcard; this profile does not allow wildcard names.',
      },
    ]);
    expect(checkCsr(policy({ allowedDomains: ['example.com'], allowWildcards: true }), wildcard)).toEqual([]);
  });

  test('a wildcard is under a domain only where its base is: *.example.com is not under www.example.com', async () => {
    expect(
      codes(
        checkCsr(
          policy({ allowedDomains: ['www.example.com'], allowWildcards: true }),
          await facts('CN=x', undefined, ['dns:*.example.com']),
        ),
      ),
    ).toEqual(['domain-not-allowed']);
  });

  test('more names than maxSans: too-many-sans with both numbers; exactly maxSans passes', async () => {
    const four = await facts('CN=a.example.com', undefined, ['dns:a.example.com', 'dns:b.example.com', 'dns:c.example.com', 'ip:10.0.0.1']);
    expect(checkCsr(policy({ maxSans: 3 }), four)).toEqual([
      {
        code: 'too-many-sans',
        severity: 'low',
        message: 'The CSR asks for 4 subject alternative names; this profile allows at most 3.',
      },
    ]);
    expect(checkCsr(policy({ maxSans: 4 }), four)).toEqual([]);
  });

  test('a subjectAltName extension that cannot be read: names-unreadable, high, under any policy', async () => {
    // An OCTET STRING where the GeneralNames SEQUENCE belongs.
    const csr = await makeCsr({ subject: 'CN=web.example.com', rawExtensions: [{ oid: '2.5.29.17', value: new Uint8Array([4, 1, 0]) }] });
    const read = csrFacts(csr);
    expect(read).toMatchObject({ dnsNames: [], otherNames: [], unreadableNames: true });
    expect(checkCsr(policy(), read as CsrFacts)).toEqual([
      {
        code: 'names-unreadable',
        severity: 'high',
        message: "The CSR's requested extensions cannot be read, so the names it asks for cannot be checked.",
      },
    ]);
  });

  test('several findings come most severe first', async () => {
    const findings = checkCsr(
      policy({ minRsaBits: 2048, allowedDomains: ['example.com'], maxSans: 1 }),
      await facts('CN=*.example.com', { rsa: 1024 }, ['dns:*.example.com', 'dns:evil.org']),
    );
    expect(findings.map((finding) => [finding.code, finding.severity])).toEqual([
      ['key-too-small', 'high'],
      ['domain-not-allowed', 'high'],
      ['wildcard-not-allowed', 'medium'],
      ['too-many-sans', 'low'],
    ]);
  });
});

describe('the policy at create (applyCsrPolicy)', () => {
  test('refuse: a 400 naming each finding on subject.csr', async () => {
    const csr = await makeCsr({ subject: 'CN=web.evil.org', key: { rsa: 1024 } });
    const error = thrown(() =>
      applyCsrPolicy(policy({ enforce: 'refuse', minRsaBits: 2048, allowedDomains: ['example.com'] }), enroll(csr, 'CN=web.evil.org')),
    );
    expect(error).toMatchObject({
      code: 'invalid_request',
      message: expect.stringMatching(
        /^subject\.csr does not meet the profile's CSR policy: key-too-small \(.+\); domain-not-allowed \(.+\)$/,
      ),
      details: [
        { field: 'subject.csr', code: 'key-too-small', severity: 'high', message: expect.stringContaining('1024 bits') },
        { field: 'subject.csr', code: 'domain-not-allowed', severity: 'high', message: expect.stringContaining('web.evil.org') },
      ],
    });
  });

  test('refuse with a CSR that meets it, and flag: the findings (none, or each)', async () => {
    const csr = await makeCsr({ subject: 'CN=web.example.com', key: { rsa: 3072 }, names: ['dns:web.example.com'] });
    expect(
      applyCsrPolicy(policy({ enforce: 'refuse', minRsaBits: 3072, allowedDomains: ['example.com'] }), enroll(csr, 'CN=web.example.com')),
    ).toEqual([]);
    expect(codes(applyCsrPolicy(policy({ minRsaBits: 4096 }), enroll(csr, 'CN=web.example.com')) ?? [])).toEqual(['key-too-small']);
  });

  test('no policy, another method or another kind: nothing checked', async () => {
    const csr = await makeCsr({ subject: 'CN=*.evil.org' });
    expect(applyCsrPolicy(undefined, enroll(csr, 'CN=*.evil.org'))).toBeUndefined();
    expect(
      applyCsrPolicy(policy({ enforce: 'refuse' }), { kind: 'certificate.enroll', subject: { method: 'P12', subjectDn: 'CN=x', csr } }),
    ).toBeUndefined();
    expect(applyCsrPolicy(policy({ enforce: 'refuse' }), { kind: 'card.request', subject: { csr } })).toBeUndefined();
  });

  test('a subject mismatch is refused whatever the policy (subject.subjectDn), before any policy is read', async () => {
    const csr = await makeCsr({ subject: 'CN=evil.example.org, O=Example', names: ['dns:evil.example.org'] });
    expect(thrown(() => assertP10CsrParses(enroll(csr, 'CN=harmless.example.com, O=Example')))).toMatchObject({
      code: 'invalid_request',
      details: [{ field: 'subject.subjectDn', message: expect.stringContaining('CN=evil.example.org, O=Example') }],
    });
    expect(thrown(() => assertP10CsrParses(enroll(csr, 'O=Example, CN=evil.example.org')))).toBeUndefined();
  });
});

describe('csrPolicy in a profile: validated with messages naming the field', () => {
  const base = {
    name: 'TLS',
    requireApprovalFor: ['certificate.enroll'],
    approvers: ['bob@example.com'],
    requiredApprovals: 1,
    remindAfter: 'PT1H',
    expireAfter: 'P1D',
  };
  const refusal = (csrPolicy: unknown) => thrown(() => parse(profileBodySchema, { ...base, csrPolicy })) as { message: string } | undefined;

  test.each([
    [{}, 'csrPolicy.enforce must be one of: refuse, flag'],
    [{ enforce: 'warn' }, 'csrPolicy.enforce must be one of: refuse, flag'],
    [{ enforce: 'flag', keyAlgorithms: ['DSA'] }, 'csrPolicy.keyAlgorithms.0 must be one of: RSA, EC, Ed25519'],
    [
      { enforce: 'flag', keyAlgorithms: [] },
      'csrPolicy.keyAlgorithms must list at least one of RSA, EC, Ed25519 (leave it out to accept any key)',
    ],
    [{ enforce: 'flag', minRsaBits: 512 }, 'csrPolicy.minRsaBits must be at least 1024'],
    [{ enforce: 'flag', minRsaBits: 2048.5 }, 'csrPolicy.minRsaBits must be a whole number'],
    [{ enforce: 'flag', minEcBits: 1024 }, 'csrPolicy.minEcBits must be at most 521'],
    [{ enforce: 'flag', allowedDomains: ['*.example.com'] }, 'csrPolicy.allowedDomains.0 must be a domain without "*"'],
    [
      { enforce: 'flag', allowedDomains: ['example.com', 'exa mple.com'] },
      'csrPolicy.allowedDomains.1 must be a domain such as example.com',
    ],
    [{ enforce: 'flag', allowedDomains: [] }, 'csrPolicy.allowedDomains must list at least one domain'],
    [{ enforce: 'flag', maxSans: -1 }, 'csrPolicy.maxSans must be 0 or more'],
    [{ enforce: 'flag', allowWildcards: 'yes' }, 'csrPolicy.allowWildcards is invalid: expected boolean'],
    [{ enforce: 'flag', minBits: 2048 }, 'csrPolicy has unknown field(s): minBits'],
  ])('%j: %s', (csrPolicy, message) => {
    expect(refusal(csrPolicy)?.message).toMatch(new RegExp(`^${message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  });

  test('accepted and normalised: domains lower-cased without leading or trailing dots, duplicates dropped, wildcards off by default', () => {
    expect(
      parse(profileBodySchema, {
        ...base,
        csrPolicy: {
          enforce: 'refuse',
          keyAlgorithms: ['RSA', 'RSA', 'EC'],
          allowedDomains: ['.Example.COM.', 'example.com', 'corp.example'],
        },
      }).csrPolicy,
    ).toEqual({ enforce: 'refuse', keyAlgorithms: ['RSA', 'EC'], allowedDomains: ['example.com', 'corp.example'], allowWildcards: false });
  });
});

describe('the domain-suffix rule (properties)', () => {
  const label = fc.constantFrom('a', 'b', 'ab', 'a-b', 'xn--bcher-kva', '0', 'example', 'com');
  const labels = (min: number) => fc.array(label, { minLength: min, maxLength: 5 });
  /** As people may write it: any case, perhaps one trailing dot. */
  const written = (parts: string[]) =>
    fc
      .tuple(fc.array(fc.boolean(), { minLength: parts.join('.').length, maxLength: parts.join('.').length }), fc.boolean())
      .map(([upper, dot]) => [...parts.join('.')].map((char, i) => (upper[i] ? char.toUpperCase() : char)).join('') + (dot ? '.' : ''));

  test('a name is under a suffix exactly when the suffix is its last labels (any case, trailing dot or not)', () => {
    fc.assert(
      fc.property(
        labels(1).chain((name) => fc.tuple(fc.constant(name), labels(1), written(name))),
        fc.boolean(),
        ([name, suffix, writtenName], trailing) => {
          const model = suffix.length <= name.length && name.slice(name.length - suffix.length).join('.') === suffix.join('.');
          expect(isUnderDomain(writtenName, suffix.join('.') + (trailing ? '.' : ''))).toBe(model);
        },
      ),
    );
  });

  test('label boundary: a suffix glued to anything but a dot is never under it', () => {
    fc.assert(
      fc.property(fc.domain(), fc.stringMatching(/^[a-z0-9-]{1,10}$/), (suffix, glued) => {
        expect(isUnderDomain(`${glued}${suffix}`, suffix)).toBe(false);
        expect(isUnderDomain(`${glued}.${suffix}`, suffix.toUpperCase())).toBe(true);
      }),
    );
  });

  test('checkCsr flags exactly the host names outside the allowed domains', () => {
    fc.assert(
      fc.property(fc.array(fc.domain(), { minLength: 1, maxLength: 3 }), fc.array(fc.domain(), { maxLength: 6 }), (allowed, dnsNames) => {
        const findings = checkCsr(policy({ allowedDomains: allowed, allowWildcards: true }), {
          keyAlgorithm: 'EC',
          keyBits: 256,
          keyLabel: 'EC P-256 (256 bits)',
          commonNames: ['Device 7'],
          dnsNames,
          otherNames: [],
        });
        const outside = dnsNames.filter((name) => !allowed.some((suffix) => isUnderDomain(name, suffix)));
        const finding = findings.find((candidate) => candidate.code === 'domain-not-allowed');
        expect(finding !== undefined).toBe(outside.length > 0);
        // Up to five names are quoted, a long one cut at 100 characters.
        for (const name of outside.slice(0, 5))
          expect(finding?.message).toContain(`"${name.length > 100 ? `${name.slice(0, 99)}…` : name}"`);
      }),
    );
  });

  test('host-name CNs: two labels or more, ending in a label that starts with a letter', () => {
    expect(['web.example.com', '*.example.com', 'WEB.Example.COM.', 'xn--bcher-kva.example'].every(isHostName)).toBe(true);
    expect(['Alice Smith', 'door-reader-7', 'v1.2', 'a_b.example.com', ''].some(isHostName)).toBe(false);
  });
});
