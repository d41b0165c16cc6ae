/**
 * The local user directory: a Cognito user-pool endpoint (awsJson1_1,
 * `X-Amz-Target: AWSCognitoIdentityProviderService.<Action>`) serving one pool, so that the
 * functions' directory adapter (functions/adapters/cognito-directory.ts) runs unchanged against it
 * through AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER. It answers the calls the service makes
 * (ListUsers with a filter, AdminListGroupsForUser, ListUsersInGroup), AdminGetUser, and the writes
 * the local tools and an administrator's scripts need (AdminCreateUser, AdminUpdateUserAttributes,
 * AdminAddUserToGroup, AdminRemoveUserFromGroup, AdminDisableUser, AdminEnableUser, CreateGroup,
 * ListGroups), with Cognito's shapes and error types. Users and groups live in a PoolStore
 * (local/user-pool-store.ts): DATA_DIR's file, shared with the token command.
 */
import { randomUUID } from 'node:crypto';
import { join, resolve } from 'node:path';
import { AwsServiceError, epochSeconds, optionalInteger, optionalString, requireString, startAwsJsonServer } from './aws-json-server';
import { LOCAL_REGION } from './net';
import { matchesFilter, pageOf, parseUserFilter } from './user-pool-filter';
import { own, type PoolState, type PoolStore, type StoredGroup, type StoredUser, setOwn } from './user-pool-store';

/** The one local pool's id, shaped as Cognito's (`<region>_<id>`). */
export const LOCAL_USER_POOL_ID = `${LOCAL_REGION}_local`;
/** The service's groups, made in the local pool as the CDK stack makes them in the cloud's. */
export const LOCAL_GROUPS = ['approvers', 'admins'] as const;
/** The local user pool's file in DATA_DIR, shared by the stack and the token command. */
export const userPoolFile = (dataDir: string) => join(resolve(dataDir), 'user-pool.json');
const POOL_ID = /^[\w-]+_[0-9a-zA-Z]+$/;
/** The largest page of every list call (Cognito's maximum `Limit`). */
export const MAX_PAGE = 60;

export interface UserPoolServerOptions {
  store: PoolStore;
  /** 0 picks a free port. */
  port: number;
  host?: string;
  poolId?: string;
  log?: (line: string) => void;
}

export interface UserPoolServer {
  url: string;
  port: number;
  poolId: string;
  close(): Promise<void>;
}

type Body = Record<string, unknown>;
type Attribute = { Name: string; Value: string };

const invalid = (message: string) => new AwsServiceError('InvalidParameterException', message);

function attributesOf(body: Body, field: string): Attribute[] {
  const value = body[field];
  if (value === undefined || value === null) return [];
  const valid =
    Array.isArray(value) &&
    value.every(
      (item) =>
        typeof item === 'object' && item !== null && typeof item.Name === 'string' && item.Name !== '' && typeof item.Value === 'string',
    );
  if (!valid) throw invalid(`${field} must be a list of {Name, Value} strings`);
  return value as Attribute[];
}

const limitOf = (body: Body) => optionalInteger(body, 'Limit', 0, MAX_PAGE) || MAX_PAGE;

function userType(user: StoredUser, only?: readonly string[]) {
  const names = Object.keys(user.attributes).filter((name) => !only || only.includes(name));
  return {
    Username: user.username,
    Attributes: names.map((Name) => ({ Name, Value: user.attributes[Name] })),
    UserCreateDate: epochSeconds(new Date(user.created)),
    UserLastModifiedDate: epochSeconds(new Date(user.modified)),
    Enabled: user.enabled,
    UserStatus: user.status,
  };
}

function groupType(group: StoredGroup, poolId: string) {
  return {
    GroupName: group.name,
    UserPoolId: poolId,
    ...(group.description !== undefined ? { Description: group.description } : {}),
    ...(group.precedence !== undefined ? { Precedence: group.precedence } : {}),
    CreationDate: epochSeconds(new Date(group.created)),
    LastModifiedDate: epochSeconds(new Date(group.modified)),
  };
}

const userIn = (state: PoolState, username: string): StoredUser => {
  const user = own(state.users, username);
  if (!user) throw new AwsServiceError('UserNotFoundException', 'User does not exist.');
  return user;
};
const groupIn = (state: PoolState, name: string): StoredGroup => {
  const group = own(state.groups, name);
  if (!group) throw new AwsServiceError('ResourceNotFoundException', 'Group not found.');
  return group;
};
const userBySub = (state: PoolState, sub: string) => Object.values(state.users).find((user) => user.attributes.sub === sub);

/** Sets attributes as Cognito does: a new email is unverified unless the same call verifies it. */
function setAttributes(user: StoredUser, attributes: readonly Attribute[]) {
  const names = new Set(attributes.map((attribute) => attribute.Name));
  for (const { Name, Value } of attributes) {
    if (Name === 'email' && user.attributes.email !== Value && !names.has('email_verified')) user.attributes.email_verified = 'false';
    setOwn(user.attributes, Name, Value);
  }
}

export async function startUserPoolServer(options: UserPoolServerOptions): Promise<UserPoolServer> {
  const poolId = options.poolId ?? LOCAL_USER_POOL_ID;
  const { store } = options;
  /** Checks the body's UserPoolId as Cognito does: its shape, then that the pool exists. */
  const pool = (body: Body) => {
    const id = requireString(body, 'UserPoolId');
    if (!POOL_ID.test(id)) {
      throw invalid(
        `1 validation error detected: Value '${id}' at 'userPoolId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w-]+_[0-9a-zA-Z]+`,
      );
    }
    if (id !== poolId) throw new AwsServiceError('ResourceNotFoundException', `User pool ${id} does not exist.`);
  };
  const read = <T>(body: Body, run: (state: PoolState) => T): T => {
    pool(body);
    return store.read(run);
  };
  const write = <T>(body: Body, run: (state: PoolState, now: string) => T): T => {
    pool(body);
    return store.write((state) => run(state, new Date().toISOString()));
  };
  const usersPage = (users: StoredUser[], body: Body, tokenField: string, only?: readonly string[]) => {
    const page = pageOf(users, (user) => user.username, limitOf(body), optionalString(body, tokenField), tokenField);
    return { Users: page.items.map((user) => userType(user, only)), ...(page.next ? { [tokenField]: page.next } : {}) };
  };
  const groupsPage = (groups: StoredGroup[], body: Body) => {
    const page = pageOf(groups, (group) => group.name, limitOf(body), optionalString(body, 'NextToken'), 'NextToken');
    return { Groups: page.items.map((group) => groupType(group, poolId)), ...(page.next ? { NextToken: page.next } : {}) };
  };
  const membership = (body: Body, change: (user: StoredUser, group: string) => void) =>
    write(body, (state, now) => {
      const user = userIn(state, requireString(body, 'Username'));
      const group = groupIn(state, requireString(body, 'GroupName')).name;
      change(user, group);
      user.modified = now;
      return {};
    });
  const setEnabled = (body: Body, enabled: boolean) =>
    write(body, (state, now) => {
      const user = userIn(state, requireString(body, 'Username'));
      if (user.enabled !== enabled) Object.assign(user, { enabled, modified: now });
      return {};
    });

  const http = await startAwsJsonServer({
    port: options.port,
    host: options.host ?? '127.0.0.1',
    targetPrefix: 'AWSCognitoIdentityProviderService',
    jsonVersion: '1.1',
    log: options.log,
    actions: {
      ListUsers: (body) => {
        const filter = parseUserFilter(optionalString(body, 'Filter'));
        const only = body.AttributesToGet === undefined ? undefined : (body.AttributesToGet as string[]);
        return read(body, (state) =>
          usersPage(
            Object.values(state.users).filter((user) => matchesFilter(user, filter)),
            body,
            'PaginationToken',
            only,
          ),
        );
      },
      AdminGetUser: (body) =>
        read(body, (state) => {
          const { Attributes, ...user } = userType(userIn(state, requireString(body, 'Username')));
          return { ...user, UserAttributes: Attributes };
        }),
      AdminListGroupsForUser: (body) =>
        read(body, (state) => {
          const user = userIn(state, requireString(body, 'Username'));
          return groupsPage(
            user.groups.flatMap((name) => own(state.groups, name) ?? []),
            body,
          );
        }),
      ListUsersInGroup: (body) =>
        read(body, (state) => {
          const group = groupIn(state, requireString(body, 'GroupName')).name;
          return usersPage(
            Object.values(state.users).filter((user) => user.groups.includes(group)),
            body,
            'NextToken',
          );
        }),
      ListGroups: (body) => read(body, (state) => groupsPage(Object.values(state.groups), body)),
      AdminCreateUser: (body) => {
        const username = requireString(body, 'Username');
        const attributes = attributesOf(body, 'UserAttributes');
        // Locally nothing is sent: an invitation would go nowhere, so the caller must say so.
        if (body.MessageAction !== 'SUPPRESS') {
          throw invalid('The local user pool sends no invitations: call AdminCreateUser with MessageAction SUPPRESS');
        }
        return write(body, (state, now) => {
          if (Object.hasOwn(state.users, username)) throw new AwsServiceError('UsernameExistsException', 'User account already exists');
          // Cognito generates `sub` and refuses one given. Locally a given `sub` is kept, because a
          // user's sub is the one the token command and the local sign-in put in their tokens.
          const sub = attributes.find((attribute) => attribute.Name === 'sub')?.Value ?? randomUUID();
          if (userBySub(state, sub)) throw invalid(`Another user has the sub ${sub}`);
          const user: StoredUser = {
            username,
            attributes: { sub },
            enabled: true,
            status: 'FORCE_CHANGE_PASSWORD',
            groups: [],
            created: now,
            modified: now,
          };
          setAttributes(
            user,
            attributes.filter((attribute) => attribute.Name !== 'sub'),
          );
          setOwn(state.users, username, user);
          return { User: userType(user) };
        });
      },
      AdminUpdateUserAttributes: (body) => {
        const attributes = attributesOf(body, 'UserAttributes');
        if (attributes.some((attribute) => attribute.Name === 'sub')) throw invalid('Cannot modify the non-mutable attribute sub');
        return write(body, (state, now) => {
          const user = userIn(state, requireString(body, 'Username'));
          setAttributes(user, attributes);
          user.modified = now;
          return {};
        });
      },
      AdminAddUserToGroup: (body) =>
        membership(body, (user, group) => {
          if (!user.groups.includes(group)) user.groups.push(group);
        }),
      AdminRemoveUserFromGroup: (body) =>
        membership(body, (user, group) => {
          user.groups = user.groups.filter((name) => name !== group);
        }),
      AdminDisableUser: (body) => setEnabled(body, false),
      AdminEnableUser: (body) => setEnabled(body, true),
      CreateGroup: (body) => {
        const name = requireString(body, 'GroupName');
        const description = optionalString(body, 'Description');
        const precedence = optionalInteger(body, 'Precedence', 0, 2 ** 31 - 1);
        return write(body, (state, now) => {
          if (Object.hasOwn(state.groups, name)) throw new AwsServiceError('GroupExistsException', 'A group with the name already exists.');
          const group: StoredGroup = { name, description, precedence, created: now, modified: now };
          setOwn(state.groups, name, group);
          return { Group: groupType(group, poolId) };
        });
      },
    },
  });
  return { url: http.url, port: http.port, poolId, close: () => http.close() };
}

/** A person as the local tools know them: the token command's flags, the sign-in form's fields. */
export interface LocalPerson {
  sub: string;
  email?: string;
  /** The `name` attribute (Cognito's standard full name); an empty string removes it. */
  name?: string;
  /** @default true */
  emailVerified?: boolean;
  /** The groups the user is in afterwards, exactly (missing groups are created). */
  groups?: readonly string[];
  /** @default true */
  enabled?: boolean;
}

/** Sets (or, given an empty string, removes) the `name` attribute; undefined leaves it. */
function setName(user: StoredUser, name: string | undefined) {
  if (name === undefined) return;
  if (name.trim()) user.attributes.name = name.trim();
  else delete user.attributes.name;
}

/**
 * Creates or updates the user the local tools sign in: the user whose sub (or username) is
 * `person.sub`, with that email (and name, when given), verified unless said otherwise, enabled unless said otherwise,
 * and in exactly the given groups. One atomic change of the store.
 */
export function putLocalUser(store: PoolStore, person: LocalPerson): void {
  store.write((state) => {
    const now = new Date().toISOString();
    for (const name of person.groups ?? []) if (!own(state.groups, name)) setOwn(state.groups, name, { name, created: now, modified: now });
    const existing = userBySub(state, person.sub) ?? own(state.users, person.sub);
    const user: StoredUser = existing ?? {
      username: person.sub,
      attributes: { sub: person.sub },
      enabled: true,
      // Someone who signed in: no password change pending.
      status: 'CONFIRMED',
      groups: [],
      created: now,
      modified: now,
    };
    if (person.email !== undefined) user.attributes.email = person.email;
    setName(user, person.name);
    user.attributes.email_verified = String(person.emailVerified ?? true);
    user.enabled = person.enabled ?? true;
    user.groups = [...new Set(person.groups ?? [])];
    user.modified = now;
    setOwn(state.users, user.username, user);
  });
}

/**
 * Changes some of a local user's settings (found by sub), leaving the rest: what an administrator
 * does with AdminDisableUser, AdminEnableUser, AdminAddUserToGroup and AdminRemoveUserFromGroup.
 * Throws when no user has this sub.
 */
export function changeLocalUser(store: PoolStore, sub: string, change: Omit<LocalPerson, 'sub'>): void {
  store.write((state) => {
    const user = userBySub(state, sub);
    if (!user) throw new Error(`no user with the sub ${sub} in the local user pool`);
    const now = new Date().toISOString();
    for (const name of change.groups ?? []) if (!own(state.groups, name)) setOwn(state.groups, name, { name, created: now, modified: now });
    if (change.email !== undefined) user.attributes.email = change.email;
    setName(user, change.name);
    if (change.emailVerified !== undefined) user.attributes.email_verified = String(change.emailVerified);
    if (change.enabled !== undefined) user.enabled = change.enabled;
    if (change.groups !== undefined) user.groups = [...new Set(change.groups)];
    user.modified = now;
  });
}

/** Creates the groups that are missing (the CDK stack makes the service's groups in the cloud). */
export function ensureLocalGroups(store: PoolStore, names: readonly string[]): void {
  if (store.read((state) => names.every((name) => Object.hasOwn(state.groups, name)))) return;
  store.write((state) => {
    const now = new Date().toISOString();
    for (const name of names) if (!own(state.groups, name)) setOwn(state.groups, name, { name, created: now, modified: now });
  });
}
