/**
 * An in-memory user directory for unit tests: users by sub, with an email, a verified flag, an
 * enabled flag and groups. `fromIdentities` seeds it with the fixtures' people as the local token
 * command would (the identity's sub, email and groups, verified and enabled).
 */
import type { Identity } from '../../../functions/domain/model';
import type { Directory, DirectoryUser } from '../../../functions/usecases/directory';

export interface MemoryUser {
  sub: string;
  email?: string;
  /** The `name` attribute. */
  name?: string;
  emailVerified?: boolean;
  enabled?: boolean;
  groups?: string[];
}

export class MemoryDirectory implements Directory {
  readonly users = new Map<string, MemoryUser>();
  /** Every call, by method name, for tests that count lookups. */
  readonly calls: string[] = [];

  static fromIdentities(...people: Identity[]): MemoryDirectory {
    const directory = new MemoryDirectory();
    for (const who of people) directory.put({ sub: who.id, email: who.email, emailVerified: true, groups: who.groups });
    return directory;
  }

  put(user: MemoryUser): this {
    this.users.set(user.sub, { emailVerified: true, enabled: true, groups: [], ...user });
    return this;
  }

  disable(sub: string): this {
    const user = this.users.get(sub);
    if (user) user.enabled = false;
    return this;
  }

  removeFromGroup(sub: string, group: string): this {
    const user = this.users.get(sub);
    if (user) user.groups = (user.groups ?? []).filter((name) => name !== group);
    return this;
  }

  private view(user: MemoryUser): DirectoryUser {
    const address = user.email ? { [user.emailVerified !== false ? 'email' : 'unverifiedEmail']: user.email.toLowerCase() } : {};
    return { sub: user.sub, username: user.sub, ...address, ...(user.name ? { name: user.name } : {}), enabled: user.enabled !== false };
  }

  async userBySub(sub: string): Promise<DirectoryUser | undefined> {
    this.calls.push('userBySub');
    const user = this.users.get(sub);
    return user && this.view(user);
  }

  async usersByEmail(email: string): Promise<DirectoryUser[]> {
    this.calls.push('usersByEmail');
    const address = email.toLowerCase();
    return [...this.users.values()].filter((user) => user.email?.toLowerCase() === address).map((user) => this.view(user));
  }

  async groupsOf(username: string): Promise<string[]> {
    this.calls.push('groupsOf');
    return [...(this.users.get(username)?.groups ?? [])];
  }

  async membersOf(group: string): Promise<DirectoryUser[]> {
    this.calls.push('membersOf');
    return [...this.users.values()].filter((user) => user.groups?.includes(group)).map((user) => this.view(user));
  }
}
