/**
 * A small deterministic generator and mutator of HTTP inputs: valid seeds for every route,
 * then mutations of paths, queries, headers and bodies (wrong types, boundary and non-finite
 * numbers, huge and deep values, broken JSON and percent-encoding, altered link parts).
 */

/** mulberry32: a seeded PRNG, so a failing input can be reproduced from the seed. */
export function prng(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (max: number) => Math.floor(next() * max);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)] as T;
  return { next, int, pick, chance: (p: number) => next() < p };
}
export type Rng = ReturnType<typeof prng>;

export interface Input {
  route: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  /** Raw body text (may be invalid JSON on purpose). */
  body?: string;
  /** Which token to send: a role name, `none`, or a literal bad token. */
  as: 'admin' | 'approver' | 'requester' | 'client' | 'unverified' | 'none' | 'garbage';
}

const STRINGS = [
  '',
  ' ',
  'a',
  'x'.repeat(300),
  'y'.repeat(70_000),
  '\u0000',
  '\n\r\t',
  '\u212Aarol@example.com',
  'karol@example.com',
  '<script>alert(1)</script>',
  "'; DROP TABLE approvals; --",
  '$' + '{jndi:ldap://x}',
  '../../etc/passwd',
  '%ZZ',
  '%C0%AF',
  '\uD800',
  '\uFFFF',
  '😀'.repeat(50),
  'P1D',
  'PT0S',
  'P99999999999D',
  'card.request',
  'requested',
  '__proto__',
  'constructor',
  'http://169.254.169.254/',
  '2026-13-45T99:99:99Z',
  'null',
];
const NUMBER_TEXTS = [
  '0',
  '-0',
  '1',
  '-1',
  '1.5',
  '1e16',
  '1e400',
  '-1e400',
  '9007199254740993',
  '1e-400',
  '100',
  '101',
  '21',
  '20',
  '0.1e1',
  '123456789012345678901234567890',
];

/** A random JSON value as text, from scalars to deep or wide structures. */
export function jsonValue(rng: Rng, depth = 0): string {
  const choice = rng.int(depth > 3 ? 4 : 8);
  switch (choice) {
    case 0:
      return JSON.stringify(rng.pick(STRINGS));
    case 1:
      return rng.pick(NUMBER_TEXTS);
    case 2:
      return rng.pick(['true', 'false', 'null']);
    case 3:
      return JSON.stringify(rng.pick(STRINGS).slice(0, 40));
    case 4:
      return `[${Array.from({ length: rng.int(4) }, () => jsonValue(rng, depth + 1)).join(',')}]`;
    case 5:
      return `{${Array.from({ length: rng.int(4) }, () => `${JSON.stringify(rng.pick(STRINGS).slice(0, 20))}:${jsonValue(rng, depth + 1)}`).join(',')}}`;
    case 6:
      return `${'['.repeat(60)}${']'.repeat(60)}`;
    default:
      return `[${new Array(rng.pick([10, 1000, 1001, 5000])).fill('0').join(',')}]`;
  }
}

/** Replaces, removes or adds one field somewhere in a JSON object (as text). */
function mutateObject(rng: Rng, value: Record<string, unknown>): string {
  const keys = Object.keys(value);
  const text = JSON.stringify(value);
  switch (rng.int(9)) {
    case 0: {
      const copy = { ...value };
      delete copy[rng.pick(keys)];
      return JSON.stringify(copy);
    }
    case 1: {
      const key = rng.pick(keys);
      const rest = { ...value };
      delete rest[key];
      const restText = JSON.stringify(rest);
      return `{${JSON.stringify(key)}:${jsonValue(rng)}${restText.length > 2 ? `,${restText.slice(1)}` : '}'}`;
    }
    case 2:
      return `${text.slice(0, -1)},${JSON.stringify(rng.pick(STRINGS).slice(0, 30) || 'extra')}:${jsonValue(rng)}}`;
    case 3:
      return text.slice(0, rng.int(text.length));
    case 4:
      return jsonValue(rng);
    case 5: {
      const at = rng.int(text.length);
      return text.slice(0, at) + rng.pick(['"', '\\', '}', ',', '\u0000', '\uD800', ' ']) + text.slice(at);
    }
    case 6: {
      // a nested field of an object-valued member, e.g. subject.count
      const key = keys.find((name) => typeof value[name] === 'object' && value[name] !== null && !Array.isArray(value[name]));
      if (!key) return text;
      const inner = JSON.stringify(value[key]);
      const field = JSON.stringify(rng.pick(['count', 'holderId', 'cardProfile', 'method', 'csr', 'serialNumber', 'n', 'id', 'email']));
      const rest = { ...value };
      delete rest[key];
      return `{${JSON.stringify(key)}:{${field}:${jsonValue(rng)}${inner.length > 2 ? `,${inner.slice(1)}` : '}'},${JSON.stringify(rest).slice(1)}`;
    }
    case 7:
      return `${text.slice(0, -1)},${JSON.stringify(keys[0] ?? 'x')}:${jsonValue(rng)}}`;
    default:
      return rng.pick(['', 'null', '[]', '{}', '"x"', 'not json', '{"a":', '\u0000\u0001']);
  }
}

const ID_MUTATIONS = [
  '%ZZ',
  '%',
  '%C0%AF',
  '%E0%A4%A',
  '..',
  '.',
  'x'.repeat(300),
  '%00',
  '%2F',
  '%F0%9F%98%80',
  'A%20B',
  '00000000-0000-0000-0000-000000000000',
  '__proto__',
  '-',
  'a.b',
];

/** Percent-encodes, also a lone surrogate (as the invalid UTF-8 a careless client would send). */
function encodePart(text: string): string {
  try {
    return encodeURIComponent(text);
  } catch {
    return '%ED%A0%80';
  }
}

function mutateId(rng: Rng, id: string): string {
  switch (rng.int(4)) {
    case 0:
      return rng.pick(ID_MUTATIONS);
    case 1:
      return id.slice(0, rng.int(id.length)) + rng.pick(ID_MUTATIONS);
    case 2:
      return encodePart(rng.pick(STRINGS).slice(0, 60)) || 'x';
    default:
      return id.replace(/[0-9a-f]/, rng.pick(['g', 'Z', '%', '-']));
  }
}

function mutateQuery(rng: Rng, params: URLSearchParams): string {
  const copy = new URLSearchParams(params);
  const names = [...copy.keys()];
  switch (rng.int(5)) {
    case 0:
      if (names.length) copy.delete(rng.pick(names));
      break;
    case 1:
      copy.set(names.length ? rng.pick(names) : 'limit', rng.pick([...STRINGS.map((s) => s.slice(0, 100)), ...NUMBER_TEXTS]));
      break;
    case 2:
      copy.append(names.length ? rng.pick(names) : 'state', rng.pick(['requested', 'x', '']));
      break;
    case 3:
      return `${copy.toString()}&${rng.pick(['%ZZ=1', 'a=%E0%A4%A', '%=%', 'cursor=%C0', '&&&', 'limit'])}`;
    default:
      copy.set(
        rng.pick(['limit', 'cursor', 'state', 'kind', 'mine', 'sig', 'exp', 'kid', 'approver']),
        rng.pick([...NUMBER_TEXTS, ...STRINGS.map((s) => s.slice(0, 100))]),
      );
  }
  return copy.toString();
}

export interface Seeds {
  profileId: string;
  requestId: string;
  /** A real approve link (path and query) from an approver's email. */
  link: string;
}

const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/xml',
  '',
];

/** One input: a valid seed for a random route, mutated in one or two places (or left valid now and then). */
export function generate(rng: Rng, seeds: Seeds): Input {
  const profile = {
    name: 'Fuzz',
    requireApprovalFor: ['card.request'],
    approvers: ['karol@example.com'],
    requiredApprovals: 1,
    remindAfter: 'PT1H',
    expireAfter: 'P2D',
  };
  const kinds: Array<Record<string, unknown>> = [
    { kind: 'card.request', profileId: seeds.profileId, subject: { holderId: 'E-1', cardProfile: 'PIV' } },
    { kind: 'card.request-multiple', profileId: seeds.profileId, subject: { holderId: 'E-1', cardProfile: 'PIV', count: 3 } },
    { kind: 'certificate.revoke', profileId: seeds.profileId, subject: { serialNumber: '0a1b', issuerDn: 'CN=CA' } },
    {
      kind: 'certificate.enroll',
      profileId: seeds.profileId,
      subject: { method: 'P10', subjectDn: 'CN=x', csr: '-----BEGIN CERTIFICATE REQUEST-----\nMIIB\n-----END CERTIFICATE REQUEST-----' },
    },
    {
      kind: 'card.lock',
      profileId: seeds.profileId,
      subject: { cardSerial: 'C-1', holderId: 'E-1' },
      justification: 'lost',
      onBehalfOf: { id: 'u1', email: 'u1@example.com' },
    },
  ];
  const decisions: Array<Record<string, unknown>> = [
    { decision: 'approve' },
    { decision: 'reject', reason: 'no' },
    { decision: 'hold', comment: 'later' },
  ];
  const link = new URL(seeds.link, 'http://x');
  const routes = [
    () => ({
      route: 'PUT /profiles/{id}',
      method: 'PUT',
      path: `/profiles/${seeds.profileId}-${rng.int(20)}`,
      value: profile as Record<string, unknown>,
      as: 'admin' as const,
    }),
    () => ({ route: 'GET /profiles/{id}', method: 'GET', path: `/profiles/${seeds.profileId}`, as: 'requester' as const }),
    () => ({
      route: 'GET /profiles',
      method: 'GET',
      path: '/profiles',
      query: new URLSearchParams({ limit: '10' }),
      as: 'requester' as const,
    }),
    () => ({
      route: 'POST /requests',
      method: 'POST',
      path: '/requests',
      value: rng.pick(kinds),
      as: rng.pick(['requester', 'client'] as const),
    }),
    () => ({ route: 'GET /requests/{id}', method: 'GET', path: `/requests/${seeds.requestId}`, as: 'approver' as const }),
    () => ({
      route: 'GET /requests/{id}/history',
      method: 'GET',
      path: `/requests/${seeds.requestId}/history`,
      query: new URLSearchParams({ limit: '5' }),
      as: 'approver' as const,
    }),
    () => ({
      route: 'GET /requests',
      method: 'GET',
      path: '/requests',
      query: new URLSearchParams({ state: 'requested', kind: 'card.request', limit: '5' }),
      as: rng.pick(['approver', 'requester'] as const),
    }),
    () => ({
      route: 'POST /requests/{id}/decisions',
      method: 'POST',
      path: `/requests/${seeds.requestId}/decisions`,
      value: { ...rng.pick(decisions), decision: 'hold' },
      as: 'approver' as const,
    }),
    () => ({
      route: 'DELETE /requests/{id}',
      method: 'DELETE',
      path: `/requests/${mutateId(rng, seeds.requestId)}`,
      as: 'requester' as const,
    }),
    () => ({
      route: 'GET /links/{id}/{action}',
      method: rng.pick(['GET', 'HEAD']),
      path: link.pathname,
      query: link.searchParams,
      as: 'none' as const,
    }),
    () => ({
      route: 'POST /links/{id}/{action}',
      method: 'POST',
      path: link.pathname.replace('/approve', '/reject'),
      query: link.searchParams,
      form: true,
      as: 'none' as const,
    }),
    () => ({ route: 'GET /health', method: 'GET', path: '/health', as: 'none' as const }),
    () => ({ route: 'GET /openapi.json', method: 'GET', path: '/openapi.json', as: 'none' as const }),
  ];
  const seed: {
    route: string;
    method: string;
    path: string;
    value?: Record<string, unknown>;
    query?: URLSearchParams;
    form?: boolean;
    as: Input['as'];
  } = rng.pick(routes)();
  const headers: Record<string, string> = {};
  let body: string | undefined;
  if (seed.value) body = JSON.stringify(seed.value);
  if (seed.form) body = 'reason=fuzz';
  if (body !== undefined) headers['content-type'] = seed.form ? 'application/x-www-form-urlencoded' : 'application/json';
  let path = seed.path;
  let query = seed.query?.toString() ?? '';
  let as = seed.as;
  // A few stay valid: the mutations then start from working inputs elsewhere in the run.
  const mutations = rng.chance(0.08) ? 0 : 1 + rng.int(2);
  for (let i = 0; i < mutations; i++) {
    switch (rng.int(seed.value ? 8 : 5)) {
      case 0: {
        const parts = path.split('/');
        const at = 1 + rng.int(parts.length - 1);
        parts[at] = mutateId(rng, parts[at] ?? '');
        path = parts.join('/');
        break;
      }
      case 1:
        query = mutateQuery(rng, new URLSearchParams(query));
        break;
      case 2:
        headers['content-type'] = rng.pick(CONTENT_TYPES);
        if (!body) body = rng.pick(['{}', 'x', jsonValue(rng)]);
        break;
      case 3:
        as = rng.pick(['admin', 'approver', 'requester', 'client', 'unverified', 'none', 'garbage'] as const);
        break;
      case 4:
        headers[rng.pick(['idempotency-key', 'x-forwarded-for', 'content-length-x', 'accept', 'cookie'])] = rng
          .pick(STRINGS)
          .slice(0, 300)
          .replace(/[^\x20-\x7e]/g, '?');
        break;
      default:
        body = mutateObject(rng, seed.value ?? {});
    }
  }
  return {
    route: seed.route,
    method: seed.method,
    path: query ? `${path}?${query}` : path,
    headers,
    body: seed.method === 'GET' || seed.method === 'HEAD' ? undefined : body,
    as,
  };
}
