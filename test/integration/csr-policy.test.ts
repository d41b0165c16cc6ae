/**
 * The profile's csrPolicy on the local stack: profiles stored in DynamoDB Local, creates through the
 * gateway, the approver email from the local SES and the link page it points to.
 */
import { makeCsr } from '../helpers/csr';
import { type Api, profile, startApi, users } from '../helpers/stack';
import { about, linksOf, mailbox, to, waitForEmails } from '../helpers/workflow';

let api: Api;
const policy = { minRsaBits: 2048, allowedDomains: ['Example.COM.'], maxSans: 2 };

beforeAll(async () => {
  api = await startApi();
  for (const [id, enforce] of [
    ['tls-refuse', 'refuse'],
    ['tls-flag', 'flag'],
  ] as const) {
    const put = await api.call('PUT', `/profiles/${id}`, {
      as: users.admin,
      body: profile({ approvers: [users.carol.email], csrPolicy: { ...policy, enforce } }),
    });
    expect(put.status).toBe(200);
  }
}, 120_000);

afterAll(async () => {
  await api?.stop();
});

async function enroll(profileId: string, options: { subject: string; rsa: 1024 | 3072; names: Array<`dns:${string}`> }, key?: string) {
  const csr = await makeCsr({ subject: options.subject, key: { rsa: options.rsa }, names: options.names });
  return api.call('POST', '/requests', {
    as: users.alice,
    headers: key ? { 'idempotency-key': key } : {},
    body: { kind: 'certificate.enroll', profileId, subject: { method: 'P10', subjectDn: options.subject, csr } },
  });
}

test('a profile keeps its csrPolicy as validated (domains normalised, wildcards off); a bad one is a 400 naming the field and changes nothing', async () => {
  const stored = await api.call('GET', '/profiles/tls-refuse', { as: users.alice });
  expect(stored.body.csrPolicy).toEqual({
    enforce: 'refuse',
    minRsaBits: 2048,
    allowedDomains: ['example.com'],
    maxSans: 2,
    allowWildcards: false,
  });
  const bad = await api.call('PUT', '/profiles/tls-refuse', {
    as: users.admin,
    body: profile({ approvers: [users.carol.email], csrPolicy: { enforce: 'refuse', minRsaBits: 512 } }),
  });
  expect(bad.status).toBe(400);
  expect(bad.body.error).toMatchObject({
    message: 'csrPolicy.minRsaBits must be at least 1024',
    details: [{ field: 'csrPolicy.minRsaBits', message: 'must be at least 1024' }],
  });
  expect((await api.call('GET', '/profiles/tls-refuse', { as: users.alice })).body).toEqual(stored.body);
});

test('refuse: an RSA 1024 CSR for a foreign domain is a 400 naming both findings, and nothing is stored or sent', async () => {
  const response = await enroll(
    'tls-refuse',
    { subject: 'CN=web.example.com', rsa: 1024, names: ['dns:web.example.com', 'dns:evil-example.com'] },
    'csr-1',
  );
  expect(response.status).toBe(400);
  expect(response.body.error.message).toBe(
    "subject.csr does not meet the profile's CSR policy: key-too-small (The RSA key has 1024 bits; this profile needs at least 2048.); " +
      'domain-not-allowed ("evil-example.com" is not under the allowed domains (example.com).)',
  );
  expect(response.body.error.details.map((issue: { field: string; code: string }) => [issue.field, issue.code])).toEqual([
    ['subject.csr', 'key-too-small'],
    ['subject.csr', 'domain-not-allowed'],
  ]);
  // Nothing written: no request to find, and the idempotency key is still free for a good CSR.
  expect((await api.call('GET', '/requests?profileId=tls-refuse', { as: users.admin })).body.items).toEqual([]);
  expect((await api.call('GET', '/requests?find=evil-example.com', { as: users.admin })).body.items).toEqual([]);
  expect((await mailbox(api)).filter((mail) => mail.body.text.includes('evil-example.com'))).toEqual([]);
  const good = await enroll('tls-refuse', { subject: 'CN=web.example.com', rsa: 3072, names: ['dns:web.example.com'] }, 'csr-1');
  expect(good.status).toBe(201);
  expect(good.body.findings).toEqual([]);
  expect(
    (await api.call('GET', '/requests?profileId=tls-refuse', { as: users.admin })).body.items.map((item: { id: string }) => item.id),
  ).toEqual([good.body.id]);
});

test('flag: the request is created with its findings, which the approver email and the link page show before the decision', async () => {
  const response = await enroll('tls-flag', {
    subject: 'CN=*.example.com, O=Example',
    rsa: 1024,
    names: ['dns:*.example.com', 'dns:shop.evil.org', 'dns:example.com'],
  });
  expect(response.status).toBe(201);
  const codes = [
    ['key-too-small', 'high'],
    ['domain-not-allowed', 'high'],
    ['wildcard-not-allowed', 'medium'],
    ['too-many-sans', 'low'],
  ];
  const read = await api.call('GET', `/requests/${response.body.id}`, { as: users.carol });
  expect(read.body.state).toBe('requested');
  expect(read.body.findings.map((finding: { code: string; severity: string }) => [finding.code, finding.severity])).toEqual(codes);
  expect(read.body.findings).toEqual(response.body.findings);

  const [email] = await waitForEmails(api, (mail) => to(users.carol.email)(mail) && about(response.body.id)(mail));
  const text = email?.body.text ?? '';
  expect(text.indexOf('Certificate request policy')).toBeLessThan(text.indexOf('Approve: '));
  for (const line of [
    '  | High: The RSA key has 1024 bits; this profile needs at least 2048. (key-too-small)',
    '  | High: "shop.evil.org" is not under the allowed domains (example.com). (domain-not-allowed)',
    '  | Medium: "*.example.com" is a wildcard; this profile does not allow wildcard names. (wildcard-not-allowed)',
    '  | Low: The CSR asks for 3 subject alternative names; this profile allows at most 2. (too-many-sans)',
    // The CSR decoded, not only its PEM.
    '  | CSR subject: CN=*.example.com, O=Example',
    '  | CSR key: RSA 1024 bits',
    '  | CSR subject alternative names: DNS:*.example.com, DNS:shop.evil.org, DNS:example.com',
  ]) {
    expect(text.split('\n')).toContain(line);
  }
  expect(email?.body.html).toContain('>High</span>The RSA key has 1024 bits; this profile needs at least 2048.');

  const page = await fetch(linksOf(email as never).approve);
  const html = await page.text();
  expect(page.status).toBe(200);
  expect(html.indexOf('>High</span>&quot;shop.evil.org&quot; is not under the allowed domains (example.com).')).toBeGreaterThan(0);
  expect(html.indexOf('Certificate request policy:')).toBeLessThan(html.indexOf('<form method="post">'));
  for (const shown of ['CN=*.example.com, O=Example', 'RSA 1024 bits', 'DNS:*.example.com, DNS:shop.evil.org, DNS:example.com']) {
    expect(html).toContain(shown);
  }
});

test('a subject mismatch is a 400 naming subject.subjectDn under either policy, and nothing is sent', async () => {
  const csr = await makeCsr({ subject: 'CN=evil.example.com', key: { rsa: 3072 }, names: ['dns:evil.example.com'] });
  for (const profileId of ['tls-refuse', 'tls-flag']) {
    const response = await api.call('POST', '/requests', {
      as: users.alice,
      body: { kind: 'certificate.enroll', profileId, subject: { method: 'P10', subjectDn: 'CN=harmless.example.com', csr } },
    });
    expect(response.status).toBe(400);
    expect(response.body.error.details).toEqual([
      { field: 'subject.subjectDn', message: 'does not name the subject of the CSR (CN=evil.example.com)' },
    ]);
  }
  expect((await mailbox(api)).filter((mail) => mail.body.text.includes('evil.example.com'))).toEqual([]);
});

test('a profile saved again without csrPolicy no longer checks CSRs', async () => {
  await api.call('PUT', '/profiles/tls-plain', {
    as: users.admin,
    body: profile({ approvers: [users.carol.email], csrPolicy: { enforce: 'refuse' } }),
  });
  const put = await api.call('PUT', '/profiles/tls-plain', { as: users.admin, body: profile({ approvers: [users.carol.email] }) });
  expect(put.body).not.toHaveProperty('csrPolicy');
  const response = await enroll('tls-plain', { subject: 'CN=*.evil.org', rsa: 1024, names: ['dns:*.evil.org'] });
  expect(response.status).toBe(201);
  expect(response.body).not.toHaveProperty('findings');
});
