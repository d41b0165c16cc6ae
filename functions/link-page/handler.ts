/**
 * GET or HEAD on a signed link: shows the request and a form to confirm. Never changes anything,
 * so a mail scanner that opens every link decides nothing.
 * 1. verify the link (403 altered, 410 expired);
 * 2. load the request (404);
 * 3. check the link's approver may decide on it (403);
 * 4. 409 page when it is no longer pending or this approver already approved;
 * 5. otherwise 200 with the confirm page.
 */
import type { HttpEvent, HttpResult } from '../commons/http';
import { notFound } from '../domain/errors';
import { assertListedApprover } from '../domain/rules';
import { htmlResponse, type LinkContext, linkHttpHandler, productionLinkContext, verifiedLink } from '../links/http';
import { confirmPage, describeConflict, errorPage } from '../links/pages';

export async function showLink(event: HttpEvent, ctx: LinkContext): Promise<HttpResult> {
  const link = await verifiedLink(event, ctx);
  const stored = await ctx.deps.repository.getRequest(link.requestId);
  if (!stored) throw notFound('this request does not exist');
  const { request } = stored;
  assertListedApprover(request, undefined, link.approver);
  const conflict = describeConflict(request, link.approver);
  if (conflict) return htmlResponse(409, errorPage(409, conflict.title, conflict.message));
  return htmlResponse(200, confirmPage(request, link.action, link.approver));
}

export const createLinkPageHandler = (ctx: LinkContext) => linkHttpHandler((event) => showLink(event, ctx));

export const handler = createLinkPageHandler(productionLinkContext());
