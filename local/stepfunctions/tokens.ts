/**
 * Task tokens: 'AQ' + base64url of 48 random bytes (66 url-safe characters).
 * They are opaque; the engine looks them up in memory, so a well-formed token it
 * does not know (closed task, or issued before a restart) answers TaskTimedOut,
 * and anything else InvalidToken.
 */
import { randomBytes } from 'node:crypto';

const TOKEN_PATTERN = /^AQ[A-Za-z0-9_-]{64}$/;

export function newTaskToken(): string {
  return `AQ${randomBytes(48).toString('base64url')}`;
}

export function isWellFormedTaskToken(token: string): boolean {
  return TOKEN_PATTERN.test(token);
}
