/**
 * A person in the user directory (the Cognito user pool in the cloud, its local emulator under
 * `npm start`). The service resolves people here instead of trusting what a token, a caller or a
 * profile says about them.
 */
export interface DirectoryUser {
  /** The user's `sub`: the id their tokens carry. */
  sub: string;
  /** The pool's username (the key of the per-user calls). */
  username: string;
  /** The `email` attribute, lower-cased, only when `email_verified` is true; undefined otherwise. */
  email?: string;
  /**
   * The `email` attribute, lower-cased, when it is not verified: it never lets anyone decide or get
   * emails; it only leaves a requester's or holder's mailbox out of a request (erring on their side).
   */
  unverifiedEmail?: string;
  /** The `name` attribute (Cognito's standard full name), trimmed; undefined when empty or unset. */
  name?: string;
  /** A disabled user counts as gone: they may not decide and get no emails. */
  enabled: boolean;
}

/**
 * Reads of the user directory. Implementations may cache for a few seconds (never minutes), so a
 * user disabled or taken out of a group loses their rights within that time.
 */
export interface Directory {
  /** The user with this `sub`, or undefined. */
  userBySub(sub: string): Promise<DirectoryUser | undefined>;
  /** Users whose email attribute is this address (compared lower-cased), verified or not. */
  usersByEmail(email: string): Promise<DirectoryUser[]>;
  /** The names of the groups the user (by username) belongs to. */
  groupsOf(username: string): Promise<string[]>;
  /** The users in a group, enabled or not. */
  membersOf(group: string): Promise<DirectoryUser[]>;
}
