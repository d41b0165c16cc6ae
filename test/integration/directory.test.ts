/**
 * The user directory as the functions use it: the Cognito adapter (functions/adapters/cognito-directory.ts)
 * with the real SDK client, against the local user pool, the token command writing users that a
 * running stack reads, and the users kept across a restart with the same DATA_DIR.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminDisableUserCommand,
  AdminEnableUserCommand,
  AdminGetUserCommand,
  AdminRemoveUserFromGroupCommand,
  AdminUpdateUserAttributesCommand,
  CognitoIdentityProviderClient,
  CreateGroupCommand,
  ListGroupsCommand,
  ListUsersCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { cachedDirectory, cognitoDirectory } from '../../functions/adapters/cognito-directory';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../local/net';
import { type LocalStack, startLocalStack } from '../../local/stack';
import { LOCAL_USER_POOL_ID, startUserPoolServer, type UserPoolServer } from '../../local/user-pool';
import { memoryPoolStore } from '../../local/user-pool-store';
import { type Api, putDirectoryUser, sharedDynamo, startApi, users } from '../helpers/stack';

const clientOf = (endpoint: string) =>
  new CognitoIdentityProviderClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, maxAttempts: 1 });

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => 'no error',
    (error: Error) => `${error.name}: ${error.message}`,
  );

describe('the Cognito adapter against the local user pool', () => {
  let server: UserPoolServer;
  let client: CognitoIdentityProviderClient;
  const pool = LOCAL_USER_POOL_ID;

  const createUser = (username: string, attributes: Record<string, string>) =>
    client.send(
      new AdminCreateUserCommand({
        UserPoolId: pool,
        Username: username,
        MessageAction: 'SUPPRESS',
        UserAttributes: Object.entries(attributes).map(([Name, Value]) => ({ Name, Value })),
      }),
    );
  const addToGroup = (username: string, group: string) =>
    client.send(new AdminAddUserToGroupCommand({ UserPoolId: pool, Username: username, GroupName: group }));

  beforeAll(async () => {
    server = await startUserPoolServer({ port: 0, store: memoryPoolStore() });
    client = clientOf(server.url);
    for (const group of ['approvers', 'admins', 'many']) await client.send(new CreateGroupCommand({ UserPoolId: pool, GroupName: group }));
    await createUser('carol', { sub: 'carol-sub', email: 'Carol@Example.com', email_verified: 'true' });
    await createUser('carol-old', { sub: 'carol-old-sub', email: 'carol@example.com', email_verified: 'false' });
    await createUser('dave', { sub: 'dave-sub', email: 'dave@example.com', email_verified: 'true' });
    await createUser('quote', { sub: 'a"b\\c', email: 'q@example.com', email_verified: 'true' });
    await addToGroup('carol', 'approvers');
    await addToGroup('carol', 'admins');
    await addToGroup('dave', 'approvers');
    await client.send(new AdminDisableUserCommand({ UserPoolId: pool, Username: 'dave' }));
    // More than a page (60) of members, of users with one address, and of groups of one user (made side by side).
    await Promise.all(
      Array.from({ length: 130 }, async (_, i) => {
        const name = `m${String(i).padStart(3, '0')}`;
        await createUser(name, { sub: `${name}-sub`, email: 'same@example.com', email_verified: 'true' });
        await addToGroup(name, 'many');
      }),
    );
    await Promise.all(
      Array.from({ length: 65 }, async (_, i) => {
        await client.send(new CreateGroupCommand({ UserPoolId: pool, GroupName: `g${String(i).padStart(2, '0')}` }));
        await addToGroup('m000', `g${String(i).padStart(2, '0')}`);
      }),
    );
  });
  afterAll(async () => {
    client?.destroy();
    await server?.close();
  });

  test('a user by sub: username, verified email lower-cased, enabled; a disabled one; an unknown sub', async () => {
    const directory = cognitoDirectory(client, pool);
    expect(await directory.userBySub('carol-sub')).toEqual({
      sub: 'carol-sub',
      username: 'carol',
      email: 'carol@example.com',
      enabled: true,
    });
    expect(await directory.userBySub('dave-sub')).toEqual({ sub: 'dave-sub', username: 'dave', email: 'dave@example.com', enabled: false });
    expect(await directory.userBySub('nobody')).toBeUndefined();
    expect(await directory.userBySub('CAROL-SUB')).toBeUndefined();
  });

  test('users by email: every user with the address, whatever its case; an unverified address is only their unverifiedEmail', async () => {
    const found = await cognitoDirectory(client, pool).usersByEmail('CAROL@example.com');
    expect(found.sort((a, b) => a.username.localeCompare(b.username))).toEqual([
      { sub: 'carol-sub', username: 'carol', email: 'carol@example.com', enabled: true },
      { sub: 'carol-old-sub', username: 'carol-old', unverifiedEmail: 'carol@example.com', enabled: true },
    ]);
    expect(await cognitoDirectory(client, pool).usersByEmail('nobody@example.com')).toEqual([]);
  });

  test('a value with a quote and a backslash is one value: it finds its user and widens nothing', async () => {
    const directory = cognitoDirectory(client, pool);
    expect((await directory.userBySub('a"b\\c'))?.username).toBe('quote');
    expect(await directory.userBySub('carol-sub" or sub = "dave-sub')).toBeUndefined();
    expect(await directory.usersByEmail('carol@example.com" ^= "')).toEqual([]);
  });

  test('groups of a user and members of a group, enabled or not', async () => {
    const directory = cognitoDirectory(client, pool);
    expect((await directory.groupsOf('carol')).sort()).toEqual(['admins', 'approvers']);
    expect(await directory.groupsOf('carol-old')).toEqual([]);
    expect((await directory.membersOf('approvers')).map((user) => [user.username, user.enabled]).sort()).toEqual([
      ['carol', true],
      ['dave', false],
    ]);
  });

  test('past one page: 130 members, 130 users of one address, 65 groups of one user', async () => {
    const directory = cognitoDirectory(client, pool);
    const members = await directory.membersOf('many');
    expect(new Set(members.map((user) => user.username)).size).toBe(130);
    expect(await directory.usersByEmail('same@example.com')).toHaveLength(130);
    expect(await directory.groupsOf('m000')).toHaveLength(66);
    const firstPage = await client.send(new ListUsersCommand({ UserPoolId: pool, Filter: 'email = "same@example.com"', Limit: 60 }));
    expect(firstPage.Users).toHaveLength(60);
    expect(firstPage.PaginationToken).toEqual(expect.any(String));
    const groups = await client.send(new ListGroupsCommand({ UserPoolId: pool, Limit: 10 }));
    expect(groups.Groups).toHaveLength(10);
    expect(groups.NextToken).toEqual(expect.any(String));
  });

  test('AWS errors: unknown pool, unknown user, unknown group, a bad filter, a malformed pool id', async () => {
    expect(await failure(cognitoDirectory(client, `${LOCAL_REGION}_other`).userBySub('carol-sub'))).toBe(
      `ResourceNotFoundException: User pool ${LOCAL_REGION}_other does not exist.`,
    );
    expect(await failure(cognitoDirectory(client, pool).groupsOf('nobody'))).toBe('UserNotFoundException: User does not exist.');
    expect(await failure(cognitoDirectory(client, pool).membersOf('nogroup'))).toBe('ResourceNotFoundException: Group not found.');
    expect(await failure(client.send(new ListUsersCommand({ UserPoolId: pool, Filter: 'email = carol@example.com' })))).toBe(
      'InvalidParameterException: Error while parsing filter.',
    );
    expect(await failure(client.send(new ListUsersCommand({ UserPoolId: 'no-underscore' })))).toMatch(
      /^InvalidParameterException: 1 validation error detected: Value 'no-underscore' at 'userPoolId'/,
    );
    expect(await failure(client.send(new AdminGetUserCommand({ UserPoolId: pool, Username: 'nobody' })))).toBe(
      'UserNotFoundException: User does not exist.',
    );
    expect(await failure(createUser('carol', { email: 'x@example.com' }))).toBe('UsernameExistsException: User account already exists');
    expect(await failure(client.send(new CreateGroupCommand({ UserPoolId: pool, GroupName: 'approvers' })))).toBe(
      'GroupExistsException: A group with the name already exists.',
    );
    expect(await failure(client.send(new AdminCreateUserCommand({ UserPoolId: pool, Username: 'invited', UserAttributes: [] })))).toMatch(
      /^InvalidParameterException: .*MessageAction SUPPRESS/,
    );
    expect(
      await failure(
        client.send(
          new AdminUpdateUserAttributesCommand({ UserPoolId: pool, Username: 'carol', UserAttributes: [{ Name: 'sub', Value: 'x' }] }),
        ),
      ),
    ).toBe('InvalidParameterException: Cannot modify the non-mutable attribute sub');
  });

  test('AdminGetUser answers Cognito’s shape; a new email is unverified unless the same call verifies it', async () => {
    await createUser('erin', { sub: 'erin-sub', email: 'erin@example.com', email_verified: 'true' });
    const erin = await client.send(new AdminGetUserCommand({ UserPoolId: pool, Username: 'erin' }));
    expect(erin).toMatchObject({ Username: 'erin', Enabled: true, UserStatus: 'FORCE_CHANGE_PASSWORD' });
    expect(erin.UserCreateDate).toBeInstanceOf(Date);
    expect(erin.UserAttributes).toEqual(
      expect.arrayContaining([
        { Name: 'sub', Value: 'erin-sub' },
        { Name: 'email', Value: 'erin@example.com' },
      ]),
    );
    await client.send(
      new AdminUpdateUserAttributesCommand({
        UserPoolId: pool,
        Username: 'erin',
        UserAttributes: [{ Name: 'email', Value: 'erin@new.example' }],
      }),
    );
    expect(await cognitoDirectory(client, pool).userBySub('erin-sub')).toEqual({
      sub: 'erin-sub',
      username: 'erin',
      unverifiedEmail: 'erin@new.example',
      enabled: true,
    });
    await client.send(
      new AdminUpdateUserAttributesCommand({
        UserPoolId: pool,
        Username: 'erin',
        UserAttributes: [
          { Name: 'email', Value: 'Erin@Verified.example' },
          { Name: 'email_verified', Value: 'true' },
        ],
      }),
    );
    expect(await cognitoDirectory(client, pool).userBySub('erin-sub')).toEqual({
      sub: 'erin-sub',
      username: 'erin',
      email: 'erin@verified.example',
      enabled: true,
    });
  });

  test('the cache: a change is seen once its 10 s are over, not before', async () => {
    let now = 1_000_000;
    const directory = cachedDirectory(cognitoDirectory(client, pool), 10, () => now);
    await createUser('frank', { sub: 'frank-sub', email: 'frank@example.com', email_verified: 'true' });
    await addToGroup('frank', 'approvers');
    expect((await directory.userBySub('frank-sub'))?.enabled).toBe(true);
    expect(await directory.groupsOf('frank')).toEqual(['approvers']);

    await client.send(new AdminDisableUserCommand({ UserPoolId: pool, Username: 'frank' }));
    await client.send(new AdminRemoveUserFromGroupCommand({ UserPoolId: pool, Username: 'frank', GroupName: 'approvers' }));
    now += 9_999;
    expect((await directory.userBySub('frank-sub'))?.enabled).toBe(true);
    expect(await directory.groupsOf('frank')).toEqual(['approvers']);
    now += 1;
    expect((await directory.userBySub('frank-sub'))?.enabled).toBe(false);
    expect(await directory.groupsOf('frank')).toEqual([]);

    await client.send(new AdminEnableUserCommand({ UserPoolId: pool, Username: 'frank' }));
    now += 10_000;
    expect((await directory.userBySub('frank-sub'))?.enabled).toBe(true);
  });
});

/** The token command, run as a user runs it, against DATA_DIR. */
function tokenCommand(dataDir: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('sh', ['scripts/node.sh', '--import', 'tsx', 'local/token-cli.ts', ...args], {
      env: { ...process.env, DATA_DIR: dataDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('the token command and a running stack with the same DATA_DIR', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'approvals-directory-'));
  let stack: LocalStack | undefined;
  const start = async () => {
    stack = await startLocalStack({
      port: 0,
      mailPort: 0,
      dataDir,
      sharedDynamo: await sharedDynamo(),
      reconcileEveryMs: 0,
      validateWorkflow: false,
    });
    return stack;
  };
  afterAll(async () => {
    await stack?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('users written by the token command are read by the running stack’s directory, and kept across its restart', async () => {
    const running = await start();
    // The functions' settings: the stack points the SDK and USER_POOL_ID at its user pool.
    expect(process.env.USER_POOL_ID).toBe(running.userPool.id);
    expect(process.env.AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER).toBe(running.userPool.endpoint);
    const readNow = () => {
      const client = new CognitoIdentityProviderClient({ region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, maxAttempts: 1 });
      return { directory: cognitoDirectory(client, process.env.USER_POOL_ID), client };
    };

    const zoe = await tokenCommand(dataDir, [
      '--sub',
      'zoe',
      '--email',
      'Zoe@Example.com',
      '--name',
      'Zoe Zed',
      '--groups',
      'approvers,auditors',
    ]);
    expect(zoe).toEqual({ code: 0, stdout: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+\n$/), stderr: '' });
    const signedIn = await fetch(`${running.apiUrl}/profiles`, { headers: { authorization: `Bearer ${zoe.stdout.trim()}` } });
    expect(signedIn.status).toBe(200);
    let { directory, client } = readNow();
    expect(await directory.userBySub('zoe')).toEqual({
      sub: 'zoe',
      username: 'zoe',
      email: 'zoe@example.com',
      name: 'Zoe Zed',
      enabled: true,
    });
    expect((await directory.groupsOf('zoe')).sort()).toEqual(['approvers', 'auditors']);
    expect((await directory.membersOf('admins')).map((user) => user.sub)).toEqual([]);

    // Groups are set to exactly the list given; --disabled disables; --unverified leaves no verified email; no --name keeps the name.
    expect((await tokenCommand(dataDir, ['--sub', 'zoe', '--email', 'zoe@example.com', '--groups', 'admins', '--disabled'])).code).toBe(0);
    expect((await tokenCommand(dataDir, ['--sub', 'yann', '--email', 'yann@example.com', '--unverified'])).code).toBe(0);
    expect((await tokenCommand(dataDir, ['--sub', 'billing', '--scope', 'approvals/requests.create-on-behalf'])).code).toBe(0);
    client.destroy();
    ({ directory, client } = readNow());
    expect(await directory.userBySub('zoe')).toEqual({
      sub: 'zoe',
      username: 'zoe',
      email: 'zoe@example.com',
      name: 'Zoe Zed',
      enabled: false,
    });
    expect(await directory.groupsOf('zoe')).toEqual(['admins']);
    expect(await directory.userBySub('yann')).toEqual({
      sub: 'yann',
      username: 'yann',
      unverifiedEmail: 'yann@example.com',
      enabled: true,
    });
    // A client-credentials token is no user.
    expect(await directory.userBySub('billing')).toBeUndefined();
    client.destroy();

    await running.stop();
    stack = undefined;
    // With no stack running, the token command still writes the directory; so does a test's helper.
    expect((await tokenCommand(dataDir, ['--sub', 'xavier', '--email', 'xavier@example.com', '--groups', 'approvers'])).code).toBe(0);
    putDirectoryUser(dataDir, { sub: 'wendy', email: 'wendy@example.com', groups: ['approvers'] });
    const again = await start();
    // A new client: the SDK keeps the endpoint a client first resolved, and the restarted pool has a new port.
    const after = clientOf(again.userPool.endpoint);
    const reread = cognitoDirectory(after, again.userPool.id);
    expect(await reread.userBySub('zoe')).toEqual({
      sub: 'zoe',
      username: 'zoe',
      email: 'zoe@example.com',
      name: 'Zoe Zed',
      enabled: false,
    });
    expect(await reread.groupsOf('zoe')).toEqual(['admins']);
    expect((await reread.membersOf('approvers')).map((user) => user.sub).sort()).toEqual(['wendy', 'xavier']);
    after.destroy();
    // Six runs of the token command (a Node process each) and two stack starts.
  }, 120_000);
});

describe('the test helpers’ directory', () => {
  let api: Api;
  let client: CognitoIdentityProviderClient;
  beforeAll(async () => {
    api = await startApi();
    client = clientOf(api.stack.userPool.endpoint);
  });
  afterAll(async () => {
    client?.destroy();
    await api?.stop();
  });
  const directory = () => cognitoDirectory(client, api.stack.userPool.id);

  test('every test user is in the directory, verified, enabled, in their groups; a token puts a new user', async () => {
    for (const user of Object.values(users)) {
      expect(await directory().userBySub(user.sub)).toEqual({ sub: user.sub, username: user.sub, email: user.email, enabled: true });
      expect((await directory().groupsOf(user.sub)).sort()).toEqual([...user.groups].sort());
    }
    await api.token({ sub: 'newcomer', email: 'newcomer@example.com', groups: ['approvers'] });
    expect(await directory().userBySub('newcomer')).toEqual({
      sub: 'newcomer',
      username: 'newcomer',
      email: 'newcomer@example.com',
      enabled: true,
    });
    expect(await directory().groupsOf('newcomer')).toEqual(['approvers']);
  });

  test('a change made through the helpers stays when the same person gets a token again; a new address or groups in a token are put', async () => {
    api.directory.disable(users.dave.sub);
    api.directory.setGroups(users.erin.sub, []);
    await api.token(users.dave);
    await api.token(users.erin);
    expect((await directory().userBySub(users.dave.sub))?.enabled).toBe(false);
    expect(await directory().groupsOf(users.erin.sub)).toEqual([]);

    await api.token({ ...users.erin, email: 'erin.new@example.com', groups: ['approvers', 'admins'] });
    expect((await directory().userBySub(users.erin.sub))?.email).toBe('erin.new@example.com');
    expect((await directory().groupsOf(users.erin.sub)).sort()).toEqual(['admins', 'approvers']);

    api.directory.enable(users.dave.sub);
    expect((await directory().userBySub(users.dave.sub))?.enabled).toBe(true);
    api.directory.put({ ...users.frank, emailVerified: false });
    expect(await directory().userBySub(users.frank.sub)).toEqual({
      sub: 'frank',
      username: 'frank',
      unverifiedEmail: 'frank@example.com',
      enabled: true,
    });
  });
});
