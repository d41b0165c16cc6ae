/**
 * POST to a signed link (form-encoded): makes the approver's decision.
 * 1. verify the link (403 altered, 410 expired);
 * 2. read the form: `reason` (required to reject) and `comment`; a bad form re-shows the confirm page with a 400;
 * 3. decide as the link's approver (403 not an approver, 404 unknown, 409 no longer pending or already approved by them);
 * 4. 200 with the result page.
 */
import { currentStageIndex, stageLabel, stageOfApproval, stageProgress } from '../domain/stages';
import type { HttpEvent, HttpResult } from '../commons/http';
import { logger } from '../commons/observability';
import { decisionBodySchema } from '../domain/bodies';
import { DomainError } from '../domain/errors';
import type { ApprovalRequest } from '../domain/model';
import { toInvalid } from '../domain/validation';
import { formFields, htmlResponse, type LinkContext, linkHttpHandler, productionLinkContext, sentence, verifiedLink } from '../links/http';
import { confirmPage, deciderLabel, describeConflict, errorPage, resultPage } from '../links/pages';
import type { LinkAction, VerifiedLink } from '../links/signing';
import { decideByLink } from '../lifecycle/decide';
import { decideByDelegateLink } from '../lifecycle/delegate';
import { showLinkDecision } from '../usecases/link-decisions';

export async function decideLink(event: HttpEvent, ctx: LinkContext): Promise<HttpResult> {
  const link = await verifiedLink(event, ctx);
  const form = formFields(event.body as unknown);
  const body = decisionBodySchema.safeParse({ decision: link.action, ...form });
  if (!body.success) return invalidForm(ctx, link, form, toInvalid(body.error).message);
  let result: Awaited<ReturnType<typeof decideByLink>>;
  try {
    result = link.for
      ? await decideByDelegateLink(ctx.deps, { ...link, for: link.for }, body.data)
      : await decideByLink(ctx.deps, link, body.data);
  } catch (error) {
    // A rule of the request refused the form (a comment its profile requires): the form again.
    if (error instanceof DomainError && error.code === 'invalid_request') return invalidForm(ctx, link, form, error.message);
    throw error;
  }
  if (result.decided) {
    logger.info('decision recorded', { decision: body.data.decision, state: result.request.state, by: 'link' });
    return htmlResponse(200, resultPage(result.request, resultMessage(result.request, link.action)));
  }
  // 409: says what happened, from the request as it is now.
  const conflict = result.request ? describeConflict(result.request, result.voter) : undefined;
  const title = conflict?.title ?? 'Could not record your decision';
  return htmlResponse(409, errorPage(409, title, conflict?.message ?? sentence(result.reason.message)));
}

/** What the approver is told after deciding. */
export function resultMessage(request: ApprovalRequest, action: LinkAction): string {
  if (action === 'reject') return 'You rejected this request. The requester will be told, with your reason.';
  if (request.state === 'rejected') {
    // The stage this approval started could not reach its quorum: the service ended the request (domain/reachability.ts).
    return `Your approval is recorded, but the request cannot go on: ${sentence(request.decision?.reason ?? 'it was rejected')} It is rejected, and the requester will be told.`;
  }
  const { label, approvals: length, required } = stageProgress(request);
  const where = label ? ` in ${label}` : '';
  if (request.state === 'approved') {
    return `Your approval is recorded and the request is now approved (${length} of ${required}${where}). The requester will be told.`;
  }
  const last = request.approvals.at(-1);
  const current = currentStageIndex(request);
  if (label && last && current !== null && stageOfApproval(last) < current) {
    return `Your approval is recorded and completes ${stageLabel(request, stageOfApproval(last))}. The request moves on to ${label}, whose approvers are emailed now.`;
  }
  const missing = required - length;
  return `Your approval is recorded: ${length} of ${required}${where}. The request needs ${missing} more approval(s) ${label ? 'in this stage' : 'before it is approved'}.`;
}

/** 400: the confirm page again with the message and what was typed, while a decision is still possible. */
async function invalidForm(
  ctx: LinkContext,
  link: VerifiedLink,
  form: { reason?: string; comment?: string },
  message: string,
): Promise<HttpResult> {
  const { request, open, voter } = await showLinkDecision(ctx.deps, link);
  const conflict = open ? undefined : describeConflict(request, voter);
  if (conflict) return htmlResponse(400, errorPage(400, 'Please check the form', `${sentence(message)} ${conflict.message}`));
  return htmlResponse(400, confirmPage(request, link.action, deciderLabel(link), { error: sentence(message), ...form }));
}

export const createLinkDecideHandler = (ctx: LinkContext) => linkHttpHandler((event) => decideLink(event, ctx), { form: true });

export const handler = createLinkDecideHandler(productionLinkContext('linkDecide'));
