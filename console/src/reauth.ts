/**
 * A 401 sends the user to sign in again, once: when the API refuses the token the provider has just
 * issued too (an audience the API does not accept), signing in again would loop for ever. The time
 * of the last sign-in started for a 401 is kept in sessionStorage, which outlives the round trip.
 */
export const REAUTH_GUARD_MS = 60_000;
const KEY = 'approvals.console.reauthAt';

type Store = Pick<Storage, 'getItem' | 'setItem'>;

/** Explains a 401 right after a sign-in, instead of signing in again. */
export const REFUSED_AFTER_SIGN_IN =
  'The API refused your sign-in right after you signed in, so the console stopped signing you in again. ' +
  'The console and the API may be set up for different sign-in clients (token audience): tell your administrator.';

/**
 * For one page load: what a 401 should do. `redirect` (sign in again, recorded), `wait` (a sign-in
 * of this page is already on its way) or `refuse` (one was started moments ago: show an error).
 */
export function reauthGuard(store: Store, clock: () => number = Date.now) {
  let redirecting = false;
  return (): 'redirect' | 'wait' | 'refuse' => {
    if (redirecting) return 'wait';
    const now = clock();
    const last = Number(store.getItem(KEY));
    if (last > 0 && Math.abs(now - last) < REAUTH_GUARD_MS) return 'refuse';
    store.setItem(KEY, String(now));
    redirecting = true;
    return 'redirect';
  };
}
