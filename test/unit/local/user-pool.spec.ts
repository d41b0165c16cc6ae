import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { AwsServiceError } from '../../../local/aws-json-server';
import { changeLocalUser, putLocalUser } from '../../../local/user-pool';
import { matchesFilter, pageOf, parseUserFilter } from '../../../local/user-pool-filter';
import { filePoolStore, memoryPoolStore, STALE_LOCK_MS, type StoredUser } from '../../../local/user-pool-store';

/** The quoting Cognito documents (and the directory adapter does): a backslash before `"` and `\`. */
const quote = (value: string) => `"${value.replace(/["\\]/g, '\\$&')}"`;

const errorType = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    return error instanceof AwsServiceError ? `${error.type}: ${error.message}` : `not an AWS error: ${String(error)}`;
  }
  return 'no error';
};

const user = (overrides: Partial<StoredUser> = {}): StoredUser => ({
  username: 'carol',
  attributes: { sub: 'carol', email: 'Carol@Example.com', email_verified: 'true' },
  enabled: true,
  status: 'CONFIRMED',
  groups: [],
  created: '2026-01-01T00:00:00.000Z',
  modified: '2026-01-01T00:00:00.000Z',
  ...overrides,
});

describe('the ListUsers filter', () => {
  test.each([
    ['sub = "abc"', { attribute: 'sub', type: '=', value: 'abc' }],
    ['email^="car"', { attribute: 'email', type: '^=', value: 'car' }],
    ['  username   =   "x y"  ', { attribute: 'username', type: '=', value: 'x y' }],
    ['"email" = "a@b.c"', { attribute: 'email', type: '=', value: 'a@b.c' }],
    ['name = "say \\"hi\\""', { attribute: 'name', type: '=', value: 'say "hi"' }],
    ['name = "back\\\\slash"', { attribute: 'name', type: '=', value: 'back\\slash' }],
    ['cognito:user_status = "CONFIRMED"', { attribute: 'cognito:user_status', type: '=', value: 'CONFIRMED' }],
    ['sub = ""', { attribute: 'sub', type: '=', value: '' }],
  ])('%s parses', (filter, expected) => {
    expect(parseUserFilter(filter)).toEqual(expected);
  });

  test.each([undefined, '', '   '])('%p lists every user', (filter) => {
    expect(parseUserFilter(filter)).toBeUndefined();
  });

  test.each([
    'email = carol@example.com',
    'email == "x"',
    'email != "x"',
    'email = "x" and sub = "y"',
    'email = "a"b"',
    'email = "x\\"',
    'email "x"',
    '= "x"',
    "email = 'x'",
  ])('%s is InvalidParameterException, as Cognito answers a filter it cannot parse', (filter) => {
    expect(errorType(() => parseUserFilter(filter))).toBe('InvalidParameterException: Error while parsing filter.');
  });

  test.each(['custom:team = "x"', 'email_verified = "true"', 'locale = "en"'])('%s: the attribute is not searchable', (filter) => {
    expect(errorType(() => parseUserFilter(filter))).toMatch(/^InvalidParameterException: Invalid search attribute: /);
  });

  test('any value, quoted with backslashes, reads back as itself', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('sub', 'email', 'username'),
        fc.constantFrom('=', '^='),
        fc.string({ unit: 'binary' }),
        (attribute, type, value) => {
          expect(parseUserFilter(`${attribute} ${type} ${quote(value)}`)).toEqual({ attribute, type, value });
        },
      ),
    );
  });

  test('a value with quotes cannot widen the filter into another one', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (value, other) => {
        const filter = parseUserFilter(`sub = ${quote(`${value}" or email = "${other}`)}`);
        expect(filter?.attribute).toBe('sub');
        expect(matchesFilter(user({ attributes: { sub: 'carol', email: other } }), filter)).toBe(false);
      }),
    );
  });

  test('email and other attributes compare without case; sub, username and status with case', () => {
    const carol = user();
    const match = (filter: string, who = carol) => matchesFilter(who, parseUserFilter(filter));
    expect(match('email = "carol@example.com"')).toBe(true);
    expect(match('email = "CAROL@EXAMPLE.COM"')).toBe(true);
    expect(match('email = "carol@example.co"')).toBe(false);
    expect(match('email ^= "carol@"')).toBe(true);
    expect(match('sub = "carol"')).toBe(true);
    expect(match('sub = "Carol"')).toBe(false);
    expect(match('username = "CAROL"')).toBe(false);
    expect(match('status = "Enabled"')).toBe(true);
    expect(match('status = "Disabled"')).toBe(false);
    expect(match('status = "Disabled"', user({ enabled: false }))).toBe(true);
    expect(match('cognito:user_status = "confirmed"')).toBe(true);
    expect(match('phone_number = "+1"')).toBe(false);
  });
});

describe('pages', () => {
  const keys = (page: { items: string[] }) => page.items;

  test('every item exactly once, in order, in pages of at most the limit, whatever the count and limit', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.string(), { maxLength: 130 }), fc.integer({ min: 1, max: 60 }), (items, limit) => {
        const seen: string[] = [];
        let token: string | undefined;
        let pages = 0;
        do {
          const page = pageOf(items, (item) => item, limit, token, 'NextToken');
          expect(page.items.length).toBeLessThanOrEqual(limit);
          seen.push(...page.items);
          token = page.next;
          pages += 1;
        } while (token);
        expect(seen).toEqual([...items].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
        expect(pages).toBe(Math.max(1, Math.ceil(items.length / limit)));
      }),
    );
  });

  test('a token goes on after the last item returned even when that item is gone, and a full last page has no token', () => {
    const first = pageOf(['a', 'b', 'c', 'd'], (item) => item, 2, undefined, 'NextToken');
    expect(keys(first)).toEqual(['a', 'b']);
    expect(first.next).toEqual(expect.any(String));
    expect(keys(pageOf(['a', 'c', 'd'], (item) => item, 2, first.next, 'NextToken'))).toEqual(['c', 'd']);
    expect(pageOf(['a', 'b'], (item) => item, 2, undefined, 'NextToken').next).toBeUndefined();
  });

  test.each(['', 'not-base64!', Buffer.from('{"after":1}').toString('base64url'), Buffer.from('[]').toString('base64url')])(
    'a token it did not make (%p) is InvalidParameterException naming the field',
    (token) => {
      expect(errorType(() => pageOf(['a'], (item) => item, 1, token, 'PaginationToken'))).toBe(
        'InvalidParameterException: Invalid PaginationToken.',
      );
    },
  );
});

describe('the local tools’ writes', () => {
  test('putLocalUser creates a verified, enabled, confirmed user in exactly the groups given, then updates it', () => {
    const store = memoryPoolStore();
    putLocalUser(store, { sub: 'carol', email: 'carol@example.com', groups: ['approvers', 'admins'] });
    let carol = store.read((state) => state.users.carol);
    expect(carol).toMatchObject({
      username: 'carol',
      attributes: { sub: 'carol', email: 'carol@example.com', email_verified: 'true' },
      enabled: true,
      status: 'CONFIRMED',
      groups: ['approvers', 'admins'],
    });
    expect(store.read((state) => Object.keys(state.groups).sort())).toEqual(['admins', 'approvers']);

    putLocalUser(store, { sub: 'carol', email: 'c.smith@example.com', emailVerified: false, groups: ['approvers'], enabled: false });
    carol = store.read((state) => state.users.carol);
    expect(carol).toMatchObject({
      attributes: { sub: 'carol', email: 'c.smith@example.com', email_verified: 'false' },
      enabled: false,
      groups: ['approvers'],
    });
    putLocalUser(store, { sub: 'carol', email: 'c.smith@example.com' });
    expect(store.read((state) => state.users.carol)).toMatchObject({ enabled: true, groups: [], attributes: { email_verified: 'true' } });
  });

  test("the name is the user's name attribute: set, kept when not given, removed by an empty one", () => {
    const store = memoryPoolStore();
    putLocalUser(store, { sub: 'holly', email: 'holly@example.com', name: ' Holly Holder ' });
    expect(store.read((state) => state.users.holly?.attributes.name)).toBe('Holly Holder');
    putLocalUser(store, { sub: 'holly', email: 'holly@example.com' });
    changeLocalUser(store, 'holly', { enabled: false });
    expect(store.read((state) => state.users.holly?.attributes.name)).toBe('Holly Holder');
    changeLocalUser(store, 'holly', { name: 'Holly H.' });
    expect(store.read((state) => state.users.holly?.attributes.name)).toBe('Holly H.');
    putLocalUser(store, { sub: 'holly', email: 'holly@example.com', name: '' });
    expect(store.read((state) => state.users.holly?.attributes)).not.toHaveProperty('name');
  });

  test('changeLocalUser changes only what it is given, and refuses an unknown sub', () => {
    const store = memoryPoolStore();
    putLocalUser(store, { sub: 'dave', email: 'dave@example.com', groups: ['approvers'] });
    changeLocalUser(store, 'dave', { enabled: false });
    expect(store.read((state) => state.users.dave)).toMatchObject({ enabled: false, groups: ['approvers'] });
    changeLocalUser(store, 'dave', { groups: [] });
    expect(store.read((state) => state.users.dave)).toMatchObject({
      enabled: false,
      groups: [],
      attributes: { email: 'dave@example.com' },
    });
    expect(() => changeLocalUser(store, 'nobody', { enabled: false })).toThrow(/no user with the sub nobody/);
  });

  test('names such as __proto__ stay plain entries', () => {
    const store = memoryPoolStore();
    putLocalUser(store, { sub: '__proto__', email: 'p@example.com', groups: ['__proto__', 'constructor'] });
    expect(store.read((state) => Object.keys(state.users))).toEqual(['__proto__']);
    expect(store.read((state) => Object.keys(state.groups).sort())).toEqual(['__proto__', 'constructor']);
    expect(({} as Record<string, unknown>).email).toBeUndefined();
  });
});

describe('the pool file shared by processes', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'approvals-pool-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('a write through one store is read through another on the same file, both ways', () => {
    const file = join(dir, 'user-pool.json');
    const stack = filePoolStore(file);
    const cli = filePoolStore(file);
    expect(stack.read((state) => Object.keys(state.users))).toEqual([]);
    putLocalUser(cli, { sub: 'alice', email: 'alice@example.com' });
    expect(stack.read((state) => state.users.alice?.attributes.email)).toBe('alice@example.com');
    changeLocalUser(stack, 'alice', { enabled: false });
    expect(cli.read((state) => state.users.alice?.enabled)).toBe(false);
    putLocalUser(cli, { sub: 'alice', email: 'alice@example.com', enabled: true });
    expect(stack.read((state) => state.users.alice?.enabled)).toBe(true);
    // Whole files only: no temporary or lock file is left beside it.
    expect(existsSync(`${file}.lock`)).toBe(false);
    expect(JSON.parse(readFileSync(file, 'utf8')).users.alice.username).toBe('alice');
  });

  test('a change that throws keeps nothing', () => {
    const store = filePoolStore(join(dir, 'user-pool.json'));
    putLocalUser(store, { sub: 'alice', email: 'alice@example.com' });
    expect(() =>
      store.write((state) => {
        delete state.users.alice;
        throw new Error('refused');
      }),
    ).toThrow('refused');
    expect(store.read((state) => Object.keys(state.users))).toEqual(['alice']);
    expect(filePoolStore(join(dir, 'user-pool.json')).read((state) => Object.keys(state.users))).toEqual(['alice']);
  });

  test('a lock left behind long ago is taken over', () => {
    const file = join(dir, 'user-pool.json');
    writeFileSync(`${file}.lock`, '');
    const old = new Date(Date.now() - 60_000);
    utimesSync(`${file}.lock`, old, old);
    putLocalUser(filePoolStore(file), { sub: 'alice', email: 'alice@example.com' });
    expect(filePoolStore(file).read((state) => Object.keys(state.users))).toEqual(['alice']);
  });

  test('a fresh lock of a process that has exited is taken over at once; one of a live process is waited for', async () => {
    const file = join(dir, 'user-pool.json');
    const exited = spawn('true');
    const pid = await new Promise<number | undefined>((resolve) => exited.once('exit', () => resolve(exited.pid)));
    writeFileSync(`${file}.lock`, String(pid));
    const started = Date.now();
    putLocalUser(filePoolStore(file), { sub: 'alice', email: 'alice@example.com' });
    expect(Date.now() - started).toBeLessThan(STALE_LOCK_MS);
    expect(filePoolStore(file).read((state) => Object.keys(state.users))).toEqual(['alice']);

    // This process holds it: the write waits until the lock is old enough to be a leftover.
    writeFileSync(`${file}.lock`, String(process.pid));
    const almostStale = new Date(Date.now() - STALE_LOCK_MS + 300);
    utimesSync(`${file}.lock`, almostStale, almostStale);
    const waiting = Date.now();
    putLocalUser(filePoolStore(file), { sub: 'bob', email: 'bob@example.com' });
    expect(Date.now() - waiting).toBeGreaterThanOrEqual(250);
  });

  test('processes writing at the same time lose no change', async () => {
    const file = join(dir, 'user-pool.json');
    const writers = 4;
    const each = 25;
    const script = `
      const { putLocalUser } = require('./local/user-pool');
      const { filePoolStore } = require('./local/user-pool-store');
      const store = filePoolStore(process.argv[1]);
      for (let i = 0; i < ${each}; i++) putLocalUser(store, { sub: process.argv[2] + '-' + i, email: 'x@example.com', groups: ['g' + (i % 3)] });
    `;
    const run = (name: string) =>
      new Promise<number | null>((resolve) => {
        const child = spawn('sh', ['scripts/node.sh', '--import', 'tsx', '-e', script, file, name], {
          stdio: ['ignore', 'ignore', 'inherit'],
        });
        child.once('exit', resolve);
      });
    const codes = await Promise.all(Array.from({ length: writers }, (_, i) => run(`w${i}`)));
    expect(codes).toEqual(Array(writers).fill(0));
    const state = filePoolStore(file).read((pool) => pool);
    expect(Object.keys(state.users)).toHaveLength(writers * each);
    expect(Object.keys(state.groups).sort()).toEqual(['g0', 'g1', 'g2']);
  }, 60_000);
});
