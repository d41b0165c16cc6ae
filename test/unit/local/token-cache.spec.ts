import type { JWTPayload } from 'jose';
import { cachingVerifier } from '../../../local/token-cache';

const NOW = 1_800_000_000;

function setup(payloads: Record<string, JWTPayload>, maxEntries?: number) {
  let now = NOW * 1000;
  const calls: string[] = [];
  const verify = cachingVerifier(
    async (token) => {
      calls.push(token);
      return payloads[token];
    },
    { maxEntries, nowMs: () => now },
  );
  return { verify, calls, advance: (seconds: number) => (now += seconds * 1000) };
}

describe("the local gateway's cache of verified tokens", () => {
  test('a token verified once is not verified again while it is valid', async () => {
    const { verify, calls } = setup({ a: { sub: 'alice', exp: NOW + 60 } });
    expect(await verify('a')).toEqual({ sub: 'alice', exp: NOW + 60 });
    expect(await verify('a')).toEqual({ sub: 'alice', exp: NOW + 60 });
    expect(calls).toEqual(['a']);
  });

  test('a cached token is refused once its exp has passed, as the verifier refuses it', async () => {
    const { verify, advance } = setup({ a: { sub: 'alice', exp: NOW + 60 } });
    expect(await verify('a')).toBeDefined();
    advance(60);
    expect(await verify('a')).toBeUndefined();
    expect(verify.size).toBe(0);
  });

  test('a token that failed verification is verified again each time, and never kept', async () => {
    const { verify, calls } = setup({});
    expect(await verify('forged')).toBeUndefined();
    expect(await verify('forged')).toBeUndefined();
    expect(calls).toEqual(['forged', 'forged']);
    expect(verify.size).toBe(0);
  });

  test('a token without exp, or not yet valid (nbf), is not kept', async () => {
    const { verify, calls } = setup({ noexp: { sub: 'x' }, early: { sub: 'y', exp: NOW + 60, nbf: NOW + 30 } });
    await verify('noexp');
    await verify('noexp');
    await verify('early');
    expect(calls).toEqual(['noexp', 'noexp', 'early']);
    expect(verify.size).toBe(0);
  });

  test('the cache is bounded: past maxEntries the oldest token is verified again', async () => {
    const payloads = Object.fromEntries(['a', 'b', 'c'].map((t) => [t, { sub: t, exp: NOW + 60 }]));
    const { verify, calls } = setup(payloads, 2);
    for (const token of ['a', 'b', 'c', 'c', 'b', 'a']) await verify(token);
    expect(verify.size).toBe(2);
    expect(calls).toEqual(['a', 'b', 'c', 'a']);
  });
});
