import '../../helpers/links/env';
import { logger } from '../../../functions/commons/observability';
import { createLinkPageHandler } from '../../../functions/link-page/handler';
import { LINK_PAGE_HEADERS } from '../../../functions/links/pages';
import { type LinkAction, linkPath } from '../../../functions/links/signing';
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

const EXP = NOW_EPOCH + 86400;
const link = (action: LinkAction = 'approve', approver = 'bob@example.com', requestId = REQUEST_ID, expiresAt = EXP) =>
  linkPath({ requestId, approver, action, expiresAt }, KEYS);

function setup(...requests: ReturnType<typeof pendingRequest>[]) {
  const repository = new MemoryRepository(...(requests.length ? requests : [pendingRequest()]));
  const { ctx, directory } = linkContext(repository);
  const handler = createLinkPageHandler(ctx);
  const call = (method: 'GET' | 'HEAD', path: string) => handler(linkEvent(method, path), lambdaContext);
  return { repository, call, directory };
}

afterEach(() => {
  jest.restoreAllMocks();
});

describe('GET on a signed link', () => {
  it('answers 200 with the request and a form that posts back to the same URL', async () => {
    const { call } = setup();
    const response = await call('GET', link());
    expect(response.statusCode).toBe(200);
    expect(response.headers).toEqual(LINK_PAGE_HEADERS);
    expect(response.body).toContain('<form method="post">');
    expect(response.body).toContain('Approve this request?');
    expect(response.body).toContain('CN=www.example.com,O=Example');
  });

  it('shows a reject form with a required reason', async () => {
    const { call } = setup();
    const response = await call('GET', link('reject'));
    expect(response.statusCode).toBe(200);
    expect(response.body).toMatch(/<textarea id="reason" name="reason" required/);
  });

  it('changes nothing, however often it is opened', async () => {
    const { call, repository } = setup();
    await call('GET', link());
    await call('GET', link('reject'));
    await call('HEAD', link());
    expect(repository.saved).toEqual([]);
    expect(repository.current()).toEqual(pendingRequest());
  });

  it('answers HEAD with the same status and headers and no body', async () => {
    const { call } = setup();
    const get = await call('GET', link());
    const head = await call('HEAD', link());
    expect(head.statusCode).toBe(get.statusCode);
    expect(head.headers).toEqual(get.headers);
    expect(head.body).toBe('');
  });

  it('answers HEAD on an altered link with 403 and no body', async () => {
    const { call } = setup();
    const head = await call('HEAD', link().replace('approver=bob', 'approver=eve'));
    expect(head.statusCode).toBe(403);
    expect(head.headers).toEqual(LINK_PAGE_HEADERS);
    expect(head.body).toBe('');
  });

  it('answers 403 with an HTML page when any part of the link was altered', async () => {
    const { call } = setup();
    const tampered = [
      link().replace('/approve?', '/reject?'),
      link().replace('approver=bob', 'approver=eve'),
      link().replace(`exp=${EXP}`, `exp=${EXP + 1}`),
      link().replace('kid=k2', 'kid=k1'),
      link()
        .replace('sig=', 'sig=A')
        .replace(/sig=(.{43}).*$/, 'sig=$1'),
      link().replace(REQUEST_ID, '00000000-0000-4000-8000-000000000000'),
    ];
    for (const path of tampered) {
      const response = await call('GET', path);
      expect({ path, status: response.statusCode }).toEqual({ path, status: 403 });
      expect(response.headers).toEqual(LINK_PAGE_HEADERS);
      expect(response.body).toContain('This link cannot be used');
    }
  });

  it('answers 410 once the link has expired', async () => {
    const { call } = setup();
    const response = await call('GET', link('approve', 'bob@example.com', REQUEST_ID, NOW_EPOCH - 1));
    expect(response.statusCode).toBe(410);
    expect(response.headers).toEqual(LINK_PAGE_HEADERS);
    expect(response.body).toContain('This link has expired');
  });

  it('answers 404 for a validly signed link to a request that does not exist', async () => {
    const { call } = setup();
    const response = await call('GET', link('approve', 'bob@example.com', '00000000-0000-4000-8000-000000000000'));
    expect(response.statusCode).toBe(404);
    expect(response.headers).toEqual(LINK_PAGE_HEADERS);
  });

  it('answers 403 when the link names someone who is not an approver of the request', async () => {
    const { call } = setup();
    const response = await call('GET', link('approve', 'eve@example.com'));
    expect(response.statusCode).toBe(403);
    expect(response.body).toContain('You are not an approver of this request.');
  });

  it('answers a 403 page, not a form, when the approver has left the approvers group or was disabled', async () => {
    const { call, directory } = setup();
    directory.removeFromGroup('bob', 'approvers');
    const left = await call('GET', link());
    expect(left.statusCode).toBe(403);
    expect(left.body).not.toContain('<form');
    directory.disable('carol');
    expect((await call('GET', link('approve', 'carol@example.com'))).statusCode).toBe(403);
  });

  it('answers 409 saying so when the same person already approved by the API, under another address', async () => {
    const { call } = setup(
      pendingRequest({
        approvers: ['bob@example.com', 'bob+pki@example.com', 'carol@example.com'],
        approvals: [{ by: { id: 'bob', email: 'bob+pki@example.com' }, at: '2026-11-03T09:30:00.000Z' }],
      }),
    );
    const response = await call('GET', link());
    expect(response.statusCode).toBe(409);
    expect(response.body).toContain('Already approved by you');
  });

  it('answers 409 saying so when this approver already approved', async () => {
    const { call } = setup(
      pendingRequest({ approvals: [{ by: { id: 'email:bob@example.com', email: 'bob@example.com' }, at: '2026-11-03T09:30:00.000Z' }] }),
    );
    const response = await call('GET', link());
    expect(response.statusCode).toBe(409);
    expect(response.headers).toEqual(LINK_PAGE_HEADERS);
    expect(response.body).toContain('Already approved by you');
    expect(response.body).not.toContain('<form');
  });

  it('answers 409 saying who rejected it and why when the request was rejected', async () => {
    const { call } = setup(
      pendingRequest({
        state: 'rejected',
        decision: {
          decision: 'rejected',
          by: { id: 'email:carol@example.com', email: 'carol@example.com' },
          at: '2026-11-03T09:45:00.000Z',
          reason: 'wrong DN',
        },
      }),
    );
    const response = await call('GET', link());
    expect(response.statusCode).toBe(409);
    expect(response.body).toContain('This request was rejected by carol@example.com at 2026-11-03 09:45 UTC. Reason: wrong DN');
  });

  it('answers 500 with a plain page, the link headers and no stack when the table fails', async () => {
    const { call, repository } = setup();
    repository.failWith = new Error('connect ECONNREFUSED 127.0.0.1:8000');
    const error = jest.spyOn(logger, 'error');
    const response = await call('GET', link());
    expect(response.statusCode).toBe(500);
    expect(response.headers).toEqual(LINK_PAGE_HEADERS);
    expect(response.body).toContain('Something went wrong');
    expect(response.body).not.toContain('ECONNREFUSED');
    expect(response.body).not.toMatch(/\bat .*\.ts:\d+/);
    expect(error).toHaveBeenCalledTimes(1);
    error.mockRestore();
  });
});
