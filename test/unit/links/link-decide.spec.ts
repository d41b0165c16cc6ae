import '../../helpers/links/env';
import { logger } from '../../../functions/commons/observability';
import { createLinkDecideHandler, resultMessage } from '../../../functions/link-decide/handler';
import { LINK_PAGE_HEADERS } from '../../../functions/links/pages';
import { type LinkAction, linkPath } from '../../../functions/links/signing';
import {
  KEYS,
  lambdaContext,
  linkContext,
  linkEvent,
  MemoryRepository,
  NOW,
  NOW_EPOCH,
  pendingRequest,
  REQUEST_ID,
} from '../../helpers/links/fixtures';

const EXP = NOW_EPOCH + 86400;
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const link = (action: LinkAction = 'approve', approver = 'bob@example.com', expiresAt = EXP) =>
  linkPath({ requestId: REQUEST_ID, approver, action, expiresAt }, KEYS);

function setup(request = pendingRequest()) {
  const repository = new MemoryRepository(request);
  const { ctx, directory } = linkContext(repository);
  const handler = createLinkDecideHandler(ctx);
  const post = (path: string, options: { body?: string; headers?: Record<string, string>; isBase64Encoded?: boolean } = {}) =>
    handler(linkEvent('POST', path, options), lambdaContext);
  return { repository, post, directory };
}

afterEach(() => {
  jest.restoreAllMocks();
});

describe('POST to a signed link', () => {
  it('records an approval sent with no content type and no body', async () => {
    const { post, repository } = setup();
    const response = await post(link());
    expect(response.statusCode).toBe(200);
    expect(response.headers).toEqual(LINK_PAGE_HEADERS);
    expect(response.body).toContain('Your approval is recorded: 1 of 2.');
    // The person the directory resolves the link's address to, by sub.
    expect(repository.current()?.approvals).toEqual([{ by: { id: 'bob', email: 'bob@example.com' }, at: NOW, stage: 0 }]);
    expect(repository.current()?.state).toBe('requested');
  });

  it('approves the request on the last approval needed, with the comment', async () => {
    const { post, repository } = setup(
      pendingRequest({
        approvals: [{ by: { id: 'email:carol@example.com', email: 'carol@example.com' }, at: '2026-11-03T09:30:00.000Z' }],
      }),
    );
    const response = await post(link(), { body: 'comment=Looks+good%21', headers: FORM });
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('Request approved');
    expect(repository.current()).toMatchObject({
      state: 'approved',
      decision: { decision: 'approved', by: { email: 'bob@example.com' }, comment: 'Looks good!' },
    });
  });

  it('rejects with the reason from the form', async () => {
    const { post, repository } = setup();
    const response = await post(link('reject'), {
      body: 'reason=Wrong+subject+DN&comment=',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded; charset=UTF-8' },
    });
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('You rejected this request.');
    expect(repository.current()).toMatchObject({
      state: 'rejected',
      decision: { reason: 'Wrong subject DN', by: { email: 'bob@example.com' } },
    });
    expect(repository.current()?.decision?.comment).toBeUndefined();
  });

  it('reads a base64-encoded form body', async () => {
    const { post, repository } = setup();
    const body = Buffer.from('reason=No+budget').toString('base64');
    const response = await post(link('reject'), { body, headers: FORM, isBase64Encoded: true });
    expect(response.statusCode).toBe(200);
    expect(repository.current()?.decision?.reason).toBe('No budget');
  });

  it('answers 400 and shows the form again when a rejection has no reason, changing nothing', async () => {
    const { post, repository } = setup();
    for (const body of [undefined, '', 'reason=', 'reason=+++&comment=keep+me']) {
      const response = await post(link('reject'), { body, headers: FORM });
      expect({ body, status: response.statusCode }).toEqual({ body, status: 400 });
      expect(response.headers).toEqual(LINK_PAGE_HEADERS);
      expect(response.body).toContain('Reason is required to reject a request.');
      expect(response.body).toMatch(/<form method="post"><label for="reason">/);
      expect(response.body).toMatch(/<textarea id="reason" name="reason" required/);
    }
    expect(repository.saved).toEqual([]);
  });

  it('answers 400 with the form again when the profile requires a comment to approve and none was sent, changing nothing', async () => {
    const { post, repository } = setup(pendingRequest({ requireCommentOn: ['approve'] }));
    const response = await post(link(), { body: 'comment=+++', headers: FORM });
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain('<strong>Please correct:</strong> Comment is required to approve this request.');
    expect(response.body).toMatch(/<textarea id="comment" name="comment" maxlength="2000" required>/);
    expect(repository.saved).toEqual([]);
    const approved = await post(link(), { body: 'comment=Checked', headers: FORM });
    expect(approved.statusCode).toBe(200);
    expect(repository.current()?.approvals).toHaveLength(1);
  });

  it('keeps what the approver typed when it shows the form again', async () => {
    const { post } = setup();
    const response = await post(link('reject'), { body: 'comment=%3Cb%3Enote%3C%2Fb%3E', headers: FORM });
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain('&lt;b&gt;note&lt;/b&gt;</textarea>');
  });

  it('answers 400 when a field is sent twice', async () => {
    const { post, repository } = setup();
    const response = await post(link('reject'), { body: 'reason=a&reason=b', headers: FORM });
    expect(response.statusCode).toBe(400);
    expect(response.headers).toEqual(LINK_PAGE_HEADERS);
    expect(response.body).toContain('Reason was sent more than once.');
    expect(repository.saved).toEqual([]);
  });

  it('answers 415 with the link headers for a body that is not a form', async () => {
    const { post, repository } = setup();
    const response = await post(link('reject'), { body: '{"reason":"x"}', headers: { 'content-type': 'application/json' } });
    expect(response.statusCode).toBe(415);
    expect(response.headers).toEqual(LINK_PAGE_HEADERS);
    expect(response.body).toContain('application/x-www-form-urlencoded');
    expect(repository.saved).toEqual([]);
  });

  it('answers 409 saying so when the same approver approves twice', async () => {
    const { post, repository } = setup();
    expect((await post(link())).statusCode).toBe(200);
    const again = await post(link());
    expect(again.statusCode).toBe(409);
    expect(again.headers).toEqual(LINK_PAGE_HEADERS);
    expect(again.body).toContain('You already approved this request at 2026-11-03 10:00 UTC.');
    expect(repository.saved).toHaveLength(1);
  });

  it('answers 409 saying who rejected it and why when the request was already rejected', async () => {
    const { post } = setup();
    expect((await post(link('reject', 'carol@example.com'), { body: 'reason=Not+needed', headers: FORM })).statusCode).toBe(200);
    const late = await post(link('approve', 'bob@example.com'));
    expect(late.statusCode).toBe(409);
    expect(late.body).toContain('This request was rejected by carol@example.com at 2026-11-03 10:00 UTC. Reason: Not needed');
  });

  it('answers 403 and changes nothing when the link was altered', async () => {
    const { post, repository } = setup();
    const response = await post(link('approve').replace('/approve?', '/reject?'), { body: 'reason=x', headers: FORM });
    expect(response.statusCode).toBe(403);
    expect(response.headers).toEqual(LINK_PAGE_HEADERS);
    expect(repository.saved).toEqual([]);
  });

  it('answers 410 and changes nothing when the link has expired', async () => {
    const { post, repository } = setup();
    const response = await post(link('approve', 'bob@example.com', NOW_EPOCH));
    expect(response.statusCode).toBe(410);
    expect(response.headers).toEqual(LINK_PAGE_HEADERS);
    expect(repository.saved).toEqual([]);
  });

  it('answers 403 when the link names someone who is not an approver of the request', async () => {
    const { post, repository } = setup();
    const response = await post(link('approve', 'eve@example.com'));
    expect(response.statusCode).toBe(403);
    expect(response.body).toContain('You are not an approver of this request.');
    expect(repository.saved).toEqual([]);
  });

  it('answers a 403 page and records nothing when the approver was taken out of the approvers group', async () => {
    const { post, repository, directory } = setup();
    directory.removeFromGroup('bob', 'approvers');
    const response = await post(link());
    expect(response.statusCode).toBe(403);
    expect(repository.saved).toEqual([]);
  });

  it('answers 403 when the link names the requester', async () => {
    const { post } = setup(pendingRequest({ approvers: ['alice@example.com', 'bob@example.com'] }));
    const response = await post(link('approve', 'alice@example.com'));
    expect(response.statusCode).toBe(403);
    expect(response.body).toContain('Nobody may decide on a request they requested.');
  });

  it('answers 500 with the link headers and no details when the table fails', async () => {
    const { post, repository } = setup();
    repository.failWith = Object.assign(new Error('secret internals'), { name: 'InternalServerError' });
    const error = jest.spyOn(logger, 'error');
    const response = await post(link());
    expect(response.statusCode).toBe(500);
    expect(response.headers).toEqual(LINK_PAGE_HEADERS);
    expect(response.body).not.toContain('secret internals');
    expect(response.body).toContain('aws-req-1');
    expect(error).toHaveBeenCalledTimes(1);
  });
});

describe('resultMessage', () => {
  it('says how many approvals are still missing', () => {
    const request = pendingRequest({ requiredApprovals: 3, approvals: [{ by: { id: 'x', email: 'x@example.com' }, at: NOW }] });
    expect(resultMessage(request, 'approve')).toBe(
      'Your approval is recorded: 1 of 3. The request needs 2 more approval(s) before it is approved.',
    );
  });

  it('says the request ended when the stage the approval started could not reach its quorum', () => {
    const reason = 'Stage 2 of 2 · PKI officers cannot reach its quorum: too few of its approvers may still decide';
    const request = pendingRequest({
      state: 'rejected',
      approvals: [{ by: { id: 'x', email: 'x@example.com' }, at: NOW }],
      decision: { decision: 'rejected', by: { id: 'workflow' }, at: NOW, reason },
    });
    expect(resultMessage(request, 'approve')).toBe(
      `Your approval is recorded, but the request cannot go on: ${reason}. It is rejected, and the requester will be told.`,
    );
  });
});
