import { REAUTH_GUARD_MS, reauthGuard } from '../../../console/src/reauth';

/** A sessionStorage that lives across page loads, as the browser's does across the sign-in round trip. */
function storage() {
  const items = new Map<string, string>();
  return { getItem: (key: string) => items.get(key) ?? null, setItem: (key: string, value: string) => void items.set(key, value) };
}

describe('signing in again after a 401', () => {
  it('sends the user to sign in once; a 401 again just after that sign-in shows an error instead of looping', () => {
    const store = storage();
    let now = 1_000_000;
    // The first page load: the token is refused, the console signs in again.
    expect(reauthGuard(store, () => now)()).toBe('redirect');
    // Back from the provider a few seconds later with a fresh token that the API refuses too (wrong audience).
    now += 3_000;
    const afterSignIn = reauthGuard(store, () => now);
    expect(afterSignIn()).toBe('refuse');
    expect(afterSignIn()).toBe('refuse');
  });

  it('lets several 401s of one page start one sign-in only', () => {
    const guard = reauthGuard(storage(), () => 5_000_000);
    expect(guard()).toBe('redirect');
    expect(guard()).toBe('wait');
  });

  it('signs in again when the last sign-in it started is long past (a token that expired)', () => {
    const store = storage();
    let now = 1_000_000;
    expect(reauthGuard(store, () => now)()).toBe('redirect');
    now += REAUTH_GUARD_MS + 1;
    expect(reauthGuard(store, () => now)()).toBe('redirect');
    now += 1_000;
    expect(reauthGuard(store, () => now)()).toBe('refuse');
  });
});
