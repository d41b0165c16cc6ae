/**
 * The pages a signed link answers with: server-rendered HTML that works without JavaScript,
 * styled inline only (the Content-Security-Policy allows nothing else). Pure functions.
 */
import { stageLabel, stageProgress } from '../domain/stages';
import { actorLabel, COLORS, defangText, escapeHtml, FONT_FAMILY, formatTime, kindLabel, requestDetailsHtml } from '../commons/html';
import { findingsHtml } from '../commons/findings';
import type { ApprovalRequest } from '../domain/model';
import { approvalOf, type Voter } from '../domain/people';
import type { LinkAction } from './signing';

/** Headers on every link response, success or error. */
export const LINK_PAGE_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'Content-Type': 'text/html; charset=utf-8',
  'Cache-Control': 'no-store',
  'Referrer-Policy': 'no-referrer',
  'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
});

const STYLE = `
body{margin:0;padding:0;background:#f6f8fa;color:#1f2328;font-family:${FONT_FAMILY};font-size:15px;line-height:1.5}
main{max-width:680px;margin:32px auto;padding:28px 32px;background:#fff;border:1px solid #d0d7de;border-radius:8px}
h1{margin:0 0 12px;font-size:22px;line-height:1.3}
p{margin:0 0 12px}
label{display:block;margin:16px 0 6px;font-weight:600}
textarea{box-sizing:border-box;width:100%;min-height:96px;padding:8px 10px;border:1px solid #d0d7de;border-radius:6px;font:inherit}
textarea:focus{outline:2px solid #0969da;border-color:#0969da}
button{margin-top:18px;padding:12px 28px;border:0;border-radius:6px;color:#fff;font:inherit;font-weight:600;cursor:pointer}
.hint{color:#57606a;font-size:13px}
.notice{margin:0 0 16px;padding:12px 16px;border-radius:6px;border-left:4px solid}
.optional{font-weight:400;color:#57606a}
@media (max-width:720px){main{margin:0;border-radius:0;border-left:0;border-right:0;padding:20px}}
`;

function page(title: string, body: string): string {
  return (
    '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">' +
    '<meta name="robots" content="noindex, nofollow">' +
    '<meta name="referrer" content="no-referrer">' +
    `<title>${escapeHtml(title)} · Approvals</title><style>${STYLE}</style></head>` +
    `<body><main>${body}</main></body></html>`
  );
}

function notice(html: string, color: string, background: string): string {
  return `<div class="notice" role="status" style="border-color:${color};background:${background};">${html}</div>`;
}

const ACTION_WORDS: Record<LinkAction, { question: string; button: string; color: string }> = {
  approve: { question: 'Approve this request?', button: 'Approve request', color: COLORS.approve },
  reject: { question: 'Reject this request?', button: 'Reject request', color: COLORS.reject },
};

export interface ConfirmOptions {
  /** A message to show above the form (the 400 answer: for example a missing reason). */
  error?: string;
  /** Values the approver typed before, shown again. */
  reason?: string;
  comment?: string;
}

/**
 * The answer to GET on a link: the request and a form that posts to the same URL (query
 * included: the form has no action). Nothing is decided until the form is sent.
 */
/** Who a link decides as: its approver, or a delegate for the approver it names (`for`). */
export const deciderLabel = (link: { approver: string; for?: string }) =>
  link.for ? `${link.approver}, for ${link.for} (out of office; you are their delegate)` : link.approver;

export function confirmPage(request: ApprovalRequest, action: LinkAction, approver: string, options: ConfirmOptions = {}): string {
  const words = ACTION_WORDS[action];
  const parts = [
    `<h1>${escapeHtml(words.question)}</h1>`,
    `<p>${escapeHtml(kindLabel(request))}, requested by <strong>${escapeHtml(request.requester.email)}</strong>. ` +
      `You are deciding as <strong>${escapeHtml(approver)}</strong>.</p>`,
  ];
  if (options.error) parts.push(notice(`<strong>Please correct:</strong> ${escapeHtml(options.error)}`, COLORS.reject, '#ffebe9'));
  if (request.onHold && request.hold) {
    parts.push(
      notice(
        `On hold${request.hold.until ? ` until ${escapeHtml(formatTime(request.hold.until))}` : ''}, since ${escapeHtml(formatTime(request.hold.at))} by ${escapeHtml(actorLabel(request.hold.by))}` +
          `${request.hold.comment ? `: ${escapeHtml(defangText(request.hold.comment))}` : ''}. You can still decide.`,
        COLORS.hold,
        '#fff8c5',
      ),
    );
  }
  // The CSR policy's findings, above the form: read before deciding.
  parts.push(findingsHtml(request));
  const reasonField =
    action === 'reject'
      ? '<label for="reason">Reason for rejecting <span class="optional">(required; the requester will see it)</span></label>' +
        `<textarea id="reason" name="reason" required maxlength="2000">${escapeHtml(options.reason ?? '')}</textarea>`
      : '';
  // The request's profile may require a comment to approve (requireCommentOn).
  const commentRequired = action === 'approve' && request.requireCommentOn?.includes('approve');
  const progress = stageProgress(request);
  parts.push(
    '<form method="post">' +
      reasonField +
      `<label for="comment">Comment <span class="optional">(${commentRequired ? 'required for this request' : 'optional'})</span></label>` +
      `<textarea id="comment" name="comment" maxlength="2000"${commentRequired ? ' required' : ''}>${escapeHtml(options.comment ?? '')}</textarea>` +
      `<button type="submit" style="background:${words.color};">${escapeHtml(words.button)}</button>` +
      '</form>',
    `<p class="hint" style="margin-top:12px;">Nothing has been decided yet: your decision is recorded only when you press “${escapeHtml(words.button)}”. ` +
      (action === 'approve'
        ? `Your approval will be ${progress.approvals + 1} of the ${progress.required} needed${progress.label ? ` in ${escapeHtml(progress.label)}` : ''}.</p>`
        : 'One rejection rejects the request, and the requester is told your reason.</p>'),
    requestDetailsHtml(request),
  );
  return page(words.question, parts.join(''));
}

function stateHeading(request: ApprovalRequest): string {
  switch (request.state) {
    case 'approved':
      return 'Request approved';
    case 'rejected':
      return 'Request rejected';
    case 'requested':
      return 'Approval recorded';
    case 'expired':
      return 'Request expired';
    case 'deleted':
      return 'Request deleted';
  }
}

/** The answer to a decision: what happened, and the request as it is now. */
export function resultPage(request: ApprovalRequest, message: string): string {
  const title = stateHeading(request);
  const color = request.state === 'rejected' ? COLORS.reject : COLORS.approve;
  const background = request.state === 'rejected' ? '#ffebe9' : '#dafbe1';
  return page(
    title,
    `<h1>${escapeHtml(title)}</h1>` +
      notice(escapeHtml(message), color, background) +
      '<p class="hint">You can close this page. Opening the link again shows what was decided.</p>' +
      requestDetailsHtml(request),
  );
}

/** A page for an error status (400, 403, 404, 409, 410, 500): a title and what happened; never a stack. */
export function errorPage(status: number, title: string, message: string): string {
  const color = status === 409 || status === 410 ? COLORS.hold : COLORS.reject;
  const background = status === 409 || status === 410 ? '#fff8c5' : '#ffebe9';
  return page(
    title,
    `<h1>${escapeHtml(title)}</h1>` +
      notice(escapeHtml(message), color, background) +
      `<p class="hint">Status ${escapeHtml(status)}. If you think this is wrong, contact the person who asked for approval or your administrator.</p>`,
  );
}

/**
 * Why this approver (an address, or the person the directory resolved it to) can no longer decide
 * on this request, or undefined when they can: already approved by them (under any of their
 * addresses), or no longer pending (approved, rejected with its reason, expired, deleted).
 */
export function describeConflict(request: ApprovalRequest, approver: string | Voter): { title: string; message: string } | undefined {
  const decision = request.decision;
  const by = actorLabel(decision?.by);
  const at = formatTime(decision?.at ?? request.updatedAt);
  const mine = approvalOf(request, approver);
  switch (request.state) {
    case 'requested':
      if (!mine) return undefined;
      return {
        title: 'Already approved by you',
        message:
          `You already approved this request at ${formatTime(mine.at)}. It has ${stageProgress(request).approvals} of ` +
          `${request.requiredApprovals} approvals${stageLabel(request) ? ` in ${stageLabel(request)}` : ''} and is waiting for the others.`,
      };
    case 'approved':
      return {
        title: 'Already approved',
        message: mine
          ? `You approved this request at ${formatTime(mine.at)}; it was approved at ${at}${decision && approvalOf({ approvals: [decision] }, approver) ? '' : ` by ${by}`}.`
          : `This request was approved by ${by} at ${at}.`,
      };
    case 'rejected':
      return {
        title: 'Already rejected',
        message: `This request was rejected by ${by} at ${at}. Reason: ${defangText(decision?.reason ?? '(none recorded)')}`,
      };
    case 'expired':
      return { title: 'Request expired', message: `This request expired at ${at} without a decision.` };
    case 'deleted':
      return {
        title: 'Request deleted',
        message: `This request was deleted by ${by} at ${at}${decision?.reason ? `. Reason: ${defangText(decision.reason)}` : '.'}`,
      };
  }
}
