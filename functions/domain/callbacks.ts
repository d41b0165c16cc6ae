/**
 * Where callbacks may go. A calling system names a `callbackUrl` when it creates a request; the
 * deployment lists the URL prefixes it accepts (setting CALLBACK_URL_PREFIXES), so nobody can make
 * the service POST signed events to an internal address (instance metadata, loopback, the mailbox).
 */
import { invalid } from './errors';

/**
 * The allowed prefixes from the comma-separated setting, each in the form a URL parser gives
 * (`https://Example.com` becomes `https://example.com/`, so a bare origin cannot match
 * `https://example.com.evil.org`). Throws naming a prefix that is not an http(s) URL.
 */
export function parseCallbackUrlPrefixes(setting: string): string[] {
  return setting
    .split(',')
    .map((prefix) => prefix.trim())
    .filter(Boolean)
    .map((prefix) => {
      let url: URL;
      try {
        url = new URL(prefix);
      } catch {
        throw new Error(`callback URL prefix ${prefix} is not an absolute URL`);
      }
      if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error(`callback URL prefix ${prefix} is not an http(s) URL`);
      if (url.username || url.password) throw new Error(`callback URL prefix ${prefix} carries user information`);
      return url.href;
    });
}

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
  if (prefixes.length === 0) throw refuse('is not accepted: this deployment allows no callback URLs (CALLBACK_URL_PREFIXES is empty)');
  const href = parsed.href;
  if (!prefixes.some((prefix) => href.startsWith(prefix))) throw refuse('does not start with one of the allowed callback URL prefixes');
  return href;
}
