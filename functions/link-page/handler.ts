/**
 * GET or HEAD on a signed link: shows the request and a form to confirm. Never changes anything,
 * so a mail scanner that opens every link decides nothing.
 * 1. verify the link (403 altered, 410 expired);
 * 2. ask what the link's approver may do (404 unknown, 403 not an approver of it);
 * 3. 409 page when it is no longer pending or this approver already approved;
 * 4. otherwise 200 with the confirm page.
 */
import type { HttpEvent, HttpResult } from '../commons/http';
import { htmlResponse, type LinkContext, linkHttpHandler, productionLinkContext, verifiedLink } from '../links/http';
import { confirmPage, deciderLabel, describeConflict, errorPage } from '../links/pages';
import { showLinkDecision } from '../usecases/link-decisions';

export async function showLink(event: HttpEvent, ctx: LinkContext): Promise<HttpResult> {
  const link = await verifiedLink(event, ctx);
  const { request, open, voter } = await showLinkDecision(ctx.deps, link);
  const conflict = open ? undefined : describeConflict(request, voter);
  if (conflict) return htmlResponse(409, errorPage(409, conflict.title, conflict.message));
  return htmlResponse(200, confirmPage(request, link.action, deciderLabel(link)));
}

export const createLinkPageHandler = (ctx: LinkContext) => linkHttpHandler((event) => showLink(event, ctx));

export const handler = createLinkPageHandler(productionLinkContext('linkPage'));
