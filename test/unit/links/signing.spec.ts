import { DomainError } from '../../../functions/domain/errors';
import {
  approverLinks,
  canonicalLinkString,
  type LinkFields,
  linkPath,
  signingKeysSchema,
  verifyLink,
} from '../../../functions/links/signing';
import { KEYS, NOW_EPOCH, newSecret, REQUEST_ID } from '../../helpers/links/fixtures';

const EXP = NOW_EPOCH + 3600;
const FIELDS: LinkFields = { requestId: REQUEST_ID, approver: 'bob@example.com', action: 'approve', expiresAt: EXP };

/** Splits a link path into what the HTTP API hands the handler. */
function parts(path: string) {
  const url = new URL(path, 'http://127.0.0.1');
  const [, , requestId, action] = url.pathname.split('/');
  return { requestId: decodeURIComponent(requestId ?? ''), action, query: url.search.slice(1) };
}

function withParam(path: string, name: string, value: string) {
  const url = new URL(path, 'http://127.0.0.1');
  url.searchParams.set(name, value);
  return `${url.pathname}${url.search}`;
}

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
    return undefined;
  } catch (error) {
    if (error instanceof DomainError) return error.code;
    throw error;
  }
}

describe('linkPath', () => {
  it('builds /links/<id>/<action> with approver, exp, kid and a base64url signature', () => {
    const path = linkPath(FIELDS, KEYS);
    expect(path).toMatch(
      new RegExp(`^/links/${REQUEST_ID}/approve\\?approver=bob%40example\\.com&exp=${EXP}&kid=k2&sig=[A-Za-z0-9_-]{43}$`),
    );
  });

  it('lowercases the approver before signing', () => {
    const path = linkPath({ ...FIELDS, approver: 'Bob@Example.COM' }, KEYS);
    expect(new URL(path, 'http://x').searchParams.get('approver')).toBe('bob@example.com');
    expect(verifyLink(parts(path), KEYS, NOW_EPOCH).approver).toBe('bob@example.com');
  });

  it('carries nothing but the four query parameters (no task token)', () => {
    const url = new URL(linkPath(FIELDS, KEYS), 'http://x');
    expect([...url.searchParams.keys()].sort()).toEqual(['approver', 'exp', 'kid', 'sig']);
  });

  it('signs a canonical string in which no field can run into the next', () => {
    const a = canonicalLinkString({ ...FIELDS, approver: 'a@b.c' }, 'k1');
    const b = canonicalLinkString({ ...FIELDS, approver: 'a@b.c"k1' }, '');
    expect(a).not.toBe(b);
    expect(JSON.parse(a)).toEqual(['approvals-link/v1', REQUEST_ID, 'approve', 'a@b.c', String(EXP), 'k1']);
  });

  it('refuses to sign with a current key id that has no key', () => {
    expect(() => linkPath(FIELDS, { currentKeyId: 'missing', keys: KEYS.keys })).toThrow(/not among the keys/);
  });

  it('builds both absolute links of an approver, expiring with the request', () => {
    const links = approverLinks(
      'http://127.0.0.1:3000/',
      { id: REQUEST_ID, expiresAt: new Date(EXP * 1000).toISOString() },
      'bob@example.com',
      KEYS,
    );
    expect(links.approve.startsWith(`http://127.0.0.1:3000/links/${REQUEST_ID}/approve?`)).toBe(true);
    expect(links.reject.startsWith(`http://127.0.0.1:3000/links/${REQUEST_ID}/reject?`)).toBe(true);
    expect(verifyLink(parts(links.reject.replace('http://127.0.0.1:3000', '')), KEYS, NOW_EPOCH)).toMatchObject({
      action: 'reject',
      expiresAt: EXP,
    });
  });
});

describe('verifyLink', () => {
  const path = linkPath(FIELDS, KEYS);

  it('returns the verified fields of an intact link', () => {
    expect(verifyLink(parts(path), KEYS, NOW_EPOCH)).toEqual({ ...FIELDS, kid: 'k2' });
  });

  it('accepts the raw query as URLSearchParams too', () => {
    const { query, ...rest } = parts(path);
    expect(verifyLink({ ...rest, query: new URLSearchParams(query) }, KEYS, NOW_EPOCH).requestId).toBe(REQUEST_ID);
  });

  it('answers 403 when the request id is altered', () => {
    const link = { ...parts(path), requestId: '6f1c2b9e-3c1d-4e8a-9b7f-0a1b2c3d4e60' };
    expect(codeOf(() => verifyLink(link, KEYS, NOW_EPOCH))).toBe('forbidden');
  });

  it('answers 403 when the action is altered', () => {
    expect(codeOf(() => verifyLink({ ...parts(path), action: 'reject' }, KEYS, NOW_EPOCH))).toBe('forbidden');
  });

  it('answers 403 when the action is not approve or reject', () => {
    expect(codeOf(() => verifyLink({ ...parts(path), action: 'hold' }, KEYS, NOW_EPOCH))).toBe('forbidden');
  });

  it('answers 403 when the approver is altered', () => {
    expect(codeOf(() => verifyLink(parts(withParam(path, 'approver', 'mallory@example.com')), KEYS, NOW_EPOCH))).toBe('forbidden');
  });

  it('answers 403 when the approver only changes case', () => {
    expect(codeOf(() => verifyLink(parts(withParam(path, 'approver', 'BOB@example.com')), KEYS, NOW_EPOCH))).toBe('forbidden');
  });

  it('answers 403, not 410, when the expiry is altered, even to the past', () => {
    expect(codeOf(() => verifyLink(parts(withParam(path, 'exp', String(EXP + 86400))), KEYS, NOW_EPOCH))).toBe('forbidden');
    expect(codeOf(() => verifyLink(parts(withParam(path, 'exp', String(NOW_EPOCH - 10))), KEYS, NOW_EPOCH))).toBe('forbidden');
  });

  it('answers 403 when the key id is altered to another known key', () => {
    expect(codeOf(() => verifyLink(parts(withParam(path, 'kid', 'k1')), KEYS, NOW_EPOCH))).toBe('forbidden');
  });

  it('answers 403 when the signature is altered in any one character', () => {
    const sig = new URL(path, 'http://x').searchParams.get('sig') ?? '';
    for (const index of [0, 21, sig.length - 1]) {
      const char = sig[index] === 'A' ? 'B' : 'A';
      const altered = `${sig.slice(0, index)}${char}${sig.slice(index + 1)}`;
      expect(codeOf(() => verifyLink(parts(withParam(path, 'sig', altered)), KEYS, NOW_EPOCH))).toBe('forbidden');
    }
  });

  it('answers 403 when the signature is cut short', () => {
    const sig = new URL(path, 'http://x').searchParams.get('sig') ?? '';
    expect(codeOf(() => verifyLink(parts(withParam(path, 'sig', sig.slice(0, 40))), KEYS, NOW_EPOCH))).toBe('forbidden');
  });

  it.each(['approver', 'exp', 'kid', 'sig'])('answers 403 when %s is missing', (name) => {
    const url = new URL(path, 'http://x');
    url.searchParams.delete(name);
    expect(codeOf(() => verifyLink(parts(`${url.pathname}${url.search}`), KEYS, NOW_EPOCH))).toBe('forbidden');
  });

  it.each(['approver', 'exp', 'kid', 'sig'])('answers 403 when %s appears twice, even with the same value', (name) => {
    const url = new URL(path, 'http://x');
    url.searchParams.append(name, url.searchParams.get(name) ?? '');
    expect(codeOf(() => verifyLink(parts(`${url.pathname}${url.search}`), KEYS, NOW_EPOCH))).toBe('forbidden');
  });

  it('ignores parameters it does not use, such as a tracking tag', () => {
    expect(verifyLink(parts(`${path}&utm_source=mail`), KEYS, NOW_EPOCH).approver).toBe('bob@example.com');
  });

  it('answers 410 once the link has expired', () => {
    expect(codeOf(() => verifyLink(parts(path), KEYS, EXP))).toBe('gone');
    expect(codeOf(() => verifyLink(parts(path), KEYS, EXP + 86400))).toBe('gone');
  });

  it('checks the signature before the expiry: an altered expired link is 403', () => {
    const sig = new URL(path, 'http://x').searchParams.get('sig') ?? '';
    const altered = withParam(path, 'sig', `${sig[0] === 'A' ? 'B' : 'A'}${sig.slice(1)}`);
    expect(codeOf(() => verifyLink(parts(altered), KEYS, EXP + 10))).toBe('forbidden');
  });

  it('still verifies a link signed with an older key while that key is kept', () => {
    const old = linkPath(FIELDS, { currentKeyId: 'k1', keys: KEYS.keys });
    expect(verifyLink(parts(old), KEYS, NOW_EPOCH).kid).toBe('k1');
  });

  it('answers 403 for a link signed with a key that was removed', () => {
    const old = linkPath(FIELDS, { currentKeyId: 'k1', keys: KEYS.keys });
    const rotated = { currentKeyId: 'k2', keys: { k2: KEYS.keys.k2 ?? '' } };
    expect(codeOf(() => verifyLink(parts(old), rotated, NOW_EPOCH))).toBe('forbidden');
  });

  it('answers 403 for an unknown key id', () => {
    expect(codeOf(() => verifyLink(parts(withParam(path, 'kid', 'k9')), KEYS, NOW_EPOCH))).toBe('forbidden');
  });

  it('answers 403 for a key id that names an Object property', () => {
    expect(codeOf(() => verifyLink(parts(withParam(path, 'kid', 'constructor')), KEYS, NOW_EPOCH))).toBe('forbidden');
  });

  it('answers 403 for a link signed with a different secret under the same key id', () => {
    const forged = linkPath(FIELDS, { currentKeyId: 'k2', keys: { k2: newSecret() } });
    expect(codeOf(() => verifyLink(parts(forged), KEYS, NOW_EPOCH))).toBe('forbidden');
  });
});

describe('signingKeysSchema', () => {
  it('accepts keys of at least 32 bytes whose current key is among them', () => {
    expect(signingKeysSchema.safeParse(KEYS).success).toBe(true);
  });

  it('refuses a key shorter than 32 bytes', () => {
    expect(signingKeysSchema.safeParse({ currentKeyId: 'k1', keys: { k1: Buffer.alloc(16).toString('base64') } }).success).toBe(false);
  });

  it('refuses a current key id that names no key', () => {
    expect(signingKeysSchema.safeParse({ currentKeyId: 'k3', keys: KEYS.keys }).success).toBe(false);
  });

  it('refuses a key that is not base64', () => {
    expect(signingKeysSchema.safeParse({ currentKeyId: 'k1', keys: { k1: '!'.repeat(64) } }).success).toBe(false);
  });
});

describe("a delegate's link (out of office)", () => {
  const delegated: LinkFields = { ...FIELDS, approver: 'dave@example.com', for: 'Bob@Example.com' };

  test('carries `for`, signed with the rest, and verifies with it', () => {
    const path = linkPath(delegated, KEYS);
    expect(new URL(path, 'http://127.0.0.1').searchParams.get('for')).toBe('bob@example.com');
    expect(verifyLink(parts(path), KEYS, NOW_EPOCH)).toMatchObject({ approver: 'dave@example.com', for: 'bob@example.com' });
  });

  test('`for` altered, added or dropped: 403', () => {
    const path = linkPath(delegated, KEYS);
    expect(codeOf(() => verifyLink(parts(withParam(path, 'for', 'carol@example.com')), KEYS, NOW_EPOCH))).toBe('forbidden');
    const url = new URL(path, 'http://127.0.0.1');
    url.searchParams.delete('for');
    expect(codeOf(() => verifyLink(parts(`${url.pathname}${url.search}`), KEYS, NOW_EPOCH))).toBe('forbidden');
    const plain = linkPath({ ...FIELDS, approver: 'dave@example.com' }, KEYS);
    expect(codeOf(() => verifyLink(parts(withParam(plain, 'for', 'bob@example.com')), KEYS, NOW_EPOCH))).toBe('forbidden');
  });

  test('an approver link without `for` signs the same string as before', () => {
    expect(canonicalLinkString(FIELDS, 'k1')).toBe(
      JSON.stringify(['approvals-link/v1', REQUEST_ID, 'approve', 'bob@example.com', String(EXP), 'k1']),
    );
  });
});
