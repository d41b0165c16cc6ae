import { randomBytes } from 'node:crypto';
import type { Context } from 'aws-lambda';
import type { HttpEvent } from '../../../functions/commons/http';
import type { ApprovalRequest } from '../../../functions/domain/model';
import type { LinkContext } from '../../../functions/links/http';
import type { SigningKeys } from '../../../functions/links/signing';
import { MemoryStore, RecordingMeter } from '../memory/memory-store';
import { bob, carol, user } from '../memory/fixtures';
import { MemoryDirectory } from '../memory/memory-directory';

export const REQUEST_ID = '6f1c2b9e-3c1d-4e8a-9b7f-0a1b2c3d4e5f';
export const NOW = '2026-11-03T10:00:00.000Z';
export const NOW_EPOCH = Date.parse(NOW) / 1000;

export const newSecret = () => randomBytes(32).toString('base64');
export const KEYS: SigningKeys = { currentKeyId: 'k2', keys: { k1: newSecret(), k2: newSecret() } };

export function pendingRequest(overrides: Partial<ApprovalRequest> = {}): ApprovalRequest {
  return {
    id: REQUEST_ID,
    kind: 'certificate.enroll',
    profileId: 'tls-servers',
    subject: {
      method: 'P10',
      subjectDn: 'CN=www.example.com,O=Example',
      csr: '-----BEGIN CERTIFICATE REQUEST-----\nMIIB\n-----END CERTIFICATE REQUEST-----',
    },
    justification: 'New web server',
    state: 'requested',
    requester: { id: 'user-alice', email: 'alice@example.com' },
    approvers: ['bob@example.com', 'carol@example.com'],
    requiredApprovals: 2,
    approvals: [],
    onHold: false,
    remindAfter: 'PT4H',
    expireAfter: 'P2D',
    maxReminders: 5,
    createdAt: '2026-11-03T09:00:00.000Z',
    updatedAt: '2026-11-03T09:00:00.000Z',
    expiresAt: '2026-11-05T09:00:00.000Z',
    version: 1,
    ...overrides,
  };
}

/** The in-memory store holding the given requests, each waiting in a round with task token `token-<id>`. */
export class MemoryRepository extends MemoryStore {
  constructor(...requests: ApprovalRequest[]) {
    super(...requests);
    for (const request of requests)
      this.requests.set(request.id, { request: structuredClone(request), rounds: { taskToken: `token-${request.id}` } });
  }

  override current(id = REQUEST_ID): ApprovalRequest | undefined {
    return super.current(id);
  }
}

/**
 * The link handlers' context over `repository`, with a directory holding the fixtures' people as
 * enabled members of approvers: bob and carol (listed), eve (listed nowhere) and the requester
 * alice as `user-alice` (an approver too, who must not approve her own request).
 */
export function linkContext(repository: MemoryRepository, now = NOW) {
  const directory = MemoryDirectory.fromIdentities(
    { ...user('alice', ['approvers']), id: 'user-alice' },
    bob,
    carol,
    user('eve', ['approvers']),
  );
  const ctx: LinkContext = {
    deps: {
      repository,
      directory,
      now: () => now,
      newId: () => REQUEST_ID,
      meter: new RecordingMeter(),
    },
    keys: async () => KEYS,
  };
  return { ctx, directory };
}

/** A hand-built API Gateway HTTP API (payload 2.0) event for a link path such as `/links/<id>/approve?...`. */
export function linkEvent(
  method: 'GET' | 'HEAD' | 'POST',
  pathAndQuery: string,
  options: { body?: string; headers?: Record<string, string>; isBase64Encoded?: boolean } = {},
): HttpEvent {
  const [rawPath = '', rawQueryString = ''] = pathAndQuery.split('?');
  const [, , id, action] = rawPath.split('/');
  const query = new URLSearchParams(rawQueryString);
  const queryStringParameters: Record<string, string> = {};
  for (const name of new Set(query.keys())) queryStringParameters[name] = query.getAll(name).join(',');
  return {
    version: '2.0',
    routeKey: `${method} /links/{id}/{action}`,
    rawPath,
    rawQueryString,
    headers: { host: '127.0.0.1:3000', ...options.headers },
    queryStringParameters,
    pathParameters: { id: decodeURIComponent(id ?? ''), action: action ?? '' },
    body: options.body,
    isBase64Encoded: options.isBase64Encoded ?? false,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: '127.0.0.1',
      domainPrefix: '127',
      http: { method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'jest' },
      requestId: 'req-1',
      routeKey: `${method} /links/{id}/{action}`,
      stage: '$default',
      time: '03/Nov/2026:10:00:00 +0000',
      timeEpoch: Date.parse(NOW),
    },
  };
}

export const lambdaContext = { awsRequestId: 'aws-req-1' } as unknown as Context;
