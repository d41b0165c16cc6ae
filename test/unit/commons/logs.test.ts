/**
 * Log lines carry the Lambda request id and the approval request id, and never a link's
 * signature, a key or a task token; keys of one invocation do not leak into the next.
 */
import './verbose';
import '../../helpers/links/env';
import { createLinkDecideHandler } from '../../../functions/link-decide/handler';
import { linkPath } from '../../../functions/links/signing';
import {
  KEYS,
  lambdaContext,
  linkContext,
  linkEvent,
  MemoryRepository,
  NOW_EPOCH,
  pendingRequest,
  REQUEST_ID,
} from '../../helpers/links/fixtures';

function captureLogs(): { lines: () => Array<Record<string, unknown>>; raw: () => string; restore: () => void } {
  const chunks: string[] = [];
  const capture = (chunk: string | Uint8Array) => {
    chunks.push(String(chunk));
    return true;
  };
  const out = jest.spyOn(process.stdout, 'write').mockImplementation(capture);
  const err = jest.spyOn(process.stderr, 'write').mockImplementation(capture);
  return {
    raw: () => chunks.join(''),
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line)),
    restore: () => {
      out.mockRestore();
      err.mockRestore();
    },
  };
}

test('a decision by link is logged with both request ids and without the link', async () => {
  const { ctx } = linkContext(new MemoryRepository(pendingRequest()));
  const handler = createLinkDecideHandler(ctx);
  const path = linkPath({ requestId: REQUEST_ID, approver: 'bob@example.com', action: 'approve', expiresAt: NOW_EPOCH + 3600 }, KEYS);
  const sig = new URL(path, 'http://x').searchParams.get('sig') ?? 'missing';
  const logs = captureLogs();
  const statuses: unknown[] = [];
  try {
    statuses.push((await handler(linkEvent('POST', path), lambdaContext)).statusCode);
    // The same link, altered: refused before the request is known.
    statuses.push((await handler(linkEvent('POST', path.replace(/sig=[^&]+/, 'sig=AAAA')), lambdaContext)).statusCode);
  } finally {
    logs.restore();
  }
  expect(statuses).toEqual([200, 403]);
  const recorded = logs.lines().find((line) => line.message === 'decision recorded');
  const refused = logs.lines().find((line) => line.message === 'link refused');
  expect(recorded).toMatchObject({
    level: 'INFO',
    message: 'decision recorded',
    service: 'approvals',
    function_request_id: 'aws-req-1',
    approvalRequestId: REQUEST_ID,
  });
  expect(refused).toMatchObject({ level: 'WARN', message: 'link refused', function_request_id: 'aws-req-1' });
  expect(refused).not.toHaveProperty('approvalRequestId');
  expect(logs.raw()).not.toContain(sig);
  expect(logs.raw()).not.toContain(path.split('?')[1]);
  for (const secret of Object.values(KEYS.keys)) expect(logs.raw()).not.toContain(secret);
});
