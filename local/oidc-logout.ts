/**
 * The local OpenID provider's sign-out (RP-initiated logout, its end_session_endpoint): as Cognito's
 * /logout does, it ends the provider's session at once and returns to the console, instead of
 * oidc-provider's default page that asks "Do you want to sign-out?". The provider's own form (with
 * its anti-forgery field) is submitted by the page itself with `logout=yes`; without script, its
 * button does the same.
 */
import { randomBytes } from 'node:crypto';
import type { KoaContextWithOIDC } from 'oidc-provider';

/** `consoleOrigin`: where the confirmation redirects (CSP's form-action must allow it). */
export function autoLogoutSource(consoleOrigin: string) {
  return async (ctx: KoaContextWithOIDC, form: string) => {
    const nonce = randomBytes(16).toString('base64');
    ctx.set(
      'content-security-policy',
      `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'unsafe-inline'; form-action 'self' ${consoleOrigin}; frame-ancestors 'none'`,
    );
    ctx.set('cache-control', 'no-store');
    ctx.set('referrer-policy', 'no-referrer');
    ctx.type = 'html';
    ctx.body = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Signing out - local OpenID provider</title></head>
<body style="font-family: system-ui, sans-serif">
<main>
  <h1>Signing out</h1>
  ${form}
  <button type="submit" form="op.logoutForm" name="logout" value="yes">Sign out</button>
</main>
<script nonce="${nonce}">
  const form = document.getElementById('op.logoutForm');
  const yes = document.createElement('input');
  yes.type = 'hidden';
  yes.name = 'logout';
  yes.value = 'yes';
  form.appendChild(yes);
  form.submit();
</script>
</body>
</html>`;
  };
}
