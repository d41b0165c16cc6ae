/**
 * Where callbacks may go. A calling system names a `callbackUrl` when it creates a request; the
 * deployment lists the URL prefixes it accepts (a setting: commons/settings.ts), so nobody can make
 * the service POST signed events to an internal address (instance metadata, loopback, the mailbox).
 */
import { invalid } from './errors';

/**
 * A callback URL a calling system may set: one that starts with one of the allowed prefixes (none
 * is allowed when the list is empty). Compared on the URL as a client parses it (dot segments
 * resolved, host lower-cased), never with user information (`user@host`). Returns the URL in that
 * form, which is what is stored and called.
 */
export function allowedCallbackUrl(url: string, prefixes: readonly string[]): string {
  const refuse = (why: string) => invalid(`callbackUrl ${why}`, [{ field: 'callbackUrl', message: why }]);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw refuse('must be an absolute URL');
  }
  if (parsed.username || parsed.password) throw refuse('must not carry user information');
  if (prefixes.length === 0) throw refuse('is not accepted: this deployment allows no callback URLs');
  const href = parsed.href;
  if (!prefixes.some((prefix) => href.startsWith(prefix))) throw refuse('does not start with one of the allowed callback URL prefixes');
  return href;
}
