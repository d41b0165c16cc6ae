import type { CsrPolicy } from '../../../functions/domain/csr-policy';
import { createApprovalRequest } from '../../../functions/lifecycle/create';
import type { Deps } from '../../../functions/usecases/ports';
import { makeCsr } from '../../helpers/csr';
import { alice, bob, carol, profile } from '../../helpers/memory/fixtures';
import { MemoryDirectory } from '../../helpers/memory/memory-directory';
import { FakeClock, MemoryStore, RecordingMeter, sequentialIds } from '../../helpers/memory/memory-store';

function setup(csrPolicy?: CsrPolicy) {
  const store = new MemoryStore();
  store.profiles.set(
    'tls',
    profile({ id: 'tls', requireApprovalFor: ['certificate.enroll'], requiredApprovals: 1, ...(csrPolicy ? { csrPolicy } : {}) }),
  );
  const deps: Deps = {
    repository: store,
    directory: MemoryDirectory.fromIdentities(alice, bob, carol),
    now: new FakeClock('2026-11-03T10:00:00.000Z').now,
    newId: sequentialIds(),
    meter: new RecordingMeter(),
  };
  return { store, deps };
}

const enroll = async (subject: string, names: Array<`dns:${string}`>) => ({
  kind: 'certificate.enroll' as const,
  profileId: 'tls',
  subject: { method: 'P10', subjectDn: subject, csr: await makeCsr({ subject, key: { rsa: 1024 }, names }) },
});

describe("creating a P10 enrollment under the profile's csrPolicy", () => {
  test('refuse: a finding is a 400 naming it, and nothing is written (no request, history or idempotency record)', async () => {
    const { store, deps } = setup({ enforce: 'refuse', minRsaBits: 2048, allowWildcards: false });
    const body = await enroll('CN=web.example.com', ['dns:web.example.com']);
    await expect(createApprovalRequest(deps, alice, body, 'key-1')).rejects.toMatchObject({
      code: 'invalid_request',
      message: expect.stringContaining('key-too-small (The RSA key has 1024 bits; this profile needs at least 2048.)'),
    });
    expect([store.requests.size, store.history.size, store.idempotency.size, store.saved.length]).toEqual([0, 0, 0, 0]);
  });

  test('flag: the request is created, pending, with the findings stored on it', async () => {
    const { store, deps } = setup({ enforce: 'flag', minRsaBits: 2048, allowedDomains: ['example.com'], allowWildcards: false });
    const { request } = await createApprovalRequest(deps, alice, await enroll('CN=web.example.com', ['dns:*.evil.org']));
    expect(request.state).toBe('requested');
    expect(request.findings?.map((finding) => [finding.code, finding.severity])).toEqual([
      ['key-too-small', 'high'],
      ['domain-not-allowed', 'high'],
      ['wildcard-not-allowed', 'medium'],
    ]);
    expect(store.current(request.id)?.findings).toEqual(request.findings);
  });

  test('a policy the CSR meets stores no findings (an empty list); a profile without a policy stores none at all', async () => {
    const met = setup({ enforce: 'refuse', minRsaBits: 1024, allowWildcards: false });
    expect(
      (await createApprovalRequest(met.deps, alice, await enroll('CN=web.example.com', ['dns:web.example.com']))).request.findings,
    ).toEqual([]);
    const none = setup();
    expect((await createApprovalRequest(none.deps, alice, await enroll('CN=*.evil.org', ['dns:*.evil.org']))).request).not.toHaveProperty(
      'findings',
    );
  });
});
