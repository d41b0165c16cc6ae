/**
 * The user directory on the Cognito user-pool API: ListUsers with a filter (by sub, by email),
 * AdminListGroupsForUser and ListUsersInGroup, nothing else (the stack grants exactly these on its
 * own pool). Locally the same calls go to the user-pool emulator that `npm start` runs
 * (AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER).
 */
import {
  AdminListGroupsForUserCommand,
  type AttributeType,
  type CognitoIdentityProviderClient,
  ListUsersCommand,
  ListUsersInGroupCommand,
  type UserType,
} from '@aws-sdk/client-cognito-identity-provider';
import type { Directory, DirectoryUser } from '../usecases/directory';

/** How long a lookup is reused: a user disabled or removed from a group loses their rights within this. */
export const DIRECTORY_CACHE_SECONDS = 10;

const attribute = (attributes: AttributeType[] | undefined, name: string) => attributes?.find((a) => a.Name === name)?.Value;

/**
 * A Cognito user as the service sees it, with their `name` when set: `email` (lower-cased) only when `email_verified` is true;
 * an unverified address is `unverifiedEmail` instead, which the identity rules use only to leave
 * that person's mailbox out of a request (never to let them decide or get emails).
 */
export function directoryUser(user: UserType): DirectoryUser | undefined {
  const attributes = user.Attributes;
  const sub = attribute(attributes, 'sub');
  if (!sub || !user.Username) return undefined;
  const email = attribute(attributes, 'email');
  const verified = attribute(attributes, 'email_verified') === 'true';
  const address = email ? { [verified ? 'email' : 'unverifiedEmail']: email.toLowerCase() } : {};
  const name = attribute(attributes, 'name')?.trim();
  return { sub, username: user.Username, ...address, ...(name ? { name } : {}), enabled: user.Enabled !== false };
}

/** A filter value of ListUsers, quoted: a quote or backslash in it cannot change the filter. */
const quoted = (value: string) => `"${value.replace(/["\\]/g, '\\$&')}"`;

export function cognitoDirectory(client: CognitoIdentityProviderClient, userPoolId: string | undefined): Directory {
  const pool = () => {
    if (!userPoolId) throw new Error("configuration error: USER_POOL_ID is not among this function's needs (directory:read)");
    return userPoolId;
  };
  const listUsers = async (filter: string): Promise<DirectoryUser[]> => {
    const users: DirectoryUser[] = [];
    let token: string | undefined;
    do {
      const page = await client.send(new ListUsersCommand({ UserPoolId: pool(), Filter: filter, PaginationToken: token }));
      for (const user of page.Users ?? []) {
        const found = directoryUser(user);
        if (found) users.push(found);
      }
      token = page.PaginationToken;
    } while (token);
    return users;
  };
  return {
    async userBySub(sub) {
      return (await listUsers(`sub = ${quoted(sub)}`))[0];
    },
    usersByEmail(email) {
      return listUsers(`email = ${quoted(email.toLowerCase())}`);
    },
    async groupsOf(username) {
      const groups: string[] = [];
      let token: string | undefined;
      do {
        const page = await client.send(new AdminListGroupsForUserCommand({ UserPoolId: pool(), Username: username, NextToken: token }));
        for (const group of page.Groups ?? []) if (group.GroupName) groups.push(group.GroupName);
        token = page.NextToken;
      } while (token);
      return groups;
    },
    async membersOf(group) {
      const users: DirectoryUser[] = [];
      let token: string | undefined;
      do {
        const page = await client.send(new ListUsersInGroupCommand({ UserPoolId: pool(), GroupName: group, NextToken: token }));
        for (const user of page.Users ?? []) {
          const found = directoryUser(user);
          if (found) users.push(found);
        }
        token = page.NextToken;
      } while (token);
      return users;
    },
  };
}

/**
 * Reuses each lookup's answer (or its pending promise) for `seconds`; a failed lookup is not kept.
 * Bounded: past `maxEntries` the oldest entries go first.
 */
export function cachedDirectory(inner: Directory, seconds = DIRECTORY_CACHE_SECONDS, now = Date.now, maxEntries = 1000): Directory {
  const entries = new Map<string, { until: number; value: Promise<unknown> }>();
  function cached<T>(key: string, load: () => Promise<T>): Promise<T> {
    const hit = entries.get(key);
    const at = now();
    if (hit && hit.until > at) return hit.value as Promise<T>;
    entries.delete(key);
    const value = load();
    entries.set(key, { until: at + seconds * 1000, value });
    value.catch(() => entries.delete(key));
    while (entries.size > maxEntries) entries.delete(entries.keys().next().value as string);
    return value;
  }
  return {
    userBySub: (sub) => cached(`sub:${sub}`, () => inner.userBySub(sub)),
    usersByEmail: (email) => cached(`email:${email.toLowerCase()}`, () => inner.usersByEmail(email)),
    groupsOf: (username) => cached(`groups:${username}`, () => inner.groupsOf(username)),
    membersOf: (group) => cached(`members:${group}`, () => inner.membersOf(group)),
  };
}
