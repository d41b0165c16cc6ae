/**
 * The emails the service sends, as pure functions of the request: no I/O here.
 * Each returns a subject, a plain-text part and an HTML part (inline styles, table layout,
 * no images, no scripts, nothing fetched from elsewhere).
 */
import { stageProgress } from '../domain/stages';
import {
  actorLabel,
  buttonHtml,
  COLORS,
  DETAIL_MARGIN,
  defang,
  defangText,
  escapeHtml,
  FONT_FAMILY,
  formatTime,
  kindLabel,
  requestDetailsHtml,
  requestDetailsText,
  tableHtml,
  textField,
  textLine,
} from '../commons/html';
import { findingsHtml, findingsText } from '../commons/findings';
import type { ApprovalRequest } from '../domain/model';
import type { EmailContent } from '../usecases/senders';

export type { EmailContent };

/** A subject line is one line: no control characters (no header injection), bounded length. */
export function subjectLine(value: string): string {
  const line = value
    .replace(/\p{Cc}+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return line.length > 200 ? `${line.slice(0, 199)}…` : line;
}

const shortId = (request: ApprovalRequest) => request.id.slice(0, 8);

function layout(title: string, intro: string, body: string): string {
  return (
    '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">' +
    `<title>${escapeHtml(title)}</title></head>` +
    `<body style="margin:0;padding:0;background:#f6f8fa;">` +
    `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background:#f6f8fa;"><tr><td align="center" style="padding:24px 12px;">` +
    `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="max-width:640px;background:#ffffff;border:1px solid #d0d7de;border-radius:8px;">` +
    `<tr><td style="padding:24px 28px;font-family:${FONT_FAMILY};color:#1f2328;">` +
    `<h1 style="margin:0 0 12px;font-size:20px;line-height:1.3;">${escapeHtml(title)}</h1>` +
    `<p style="margin:0 0 16px;font-size:15px;line-height:1.5;">${intro}</p>` +
    body +
    '</td></tr></table>' +
    `<p style="margin:16px 0 0;font-family:${FONT_FAMILY};font-size:12px;color:#57606a;">Sent by the approval service. Do not reply to this message.</p>` +
    '</td></tr></table></body></html>'
  );
}

/**
 * What the approver email is for: a first approval email, a reminder, a hold's end, or (`escalation`)
 * the first email to someone an escalation added to the current stage; `recipient` is the address it
 * goes to (left out of the others listed in an escalation email).
 */
export interface ApproverEmailOptions {
  reminder: boolean;
  holdEnded?: boolean;
  forApprover?: string;
  escalation?: boolean;
  recipient?: string;
}

/**
 * Why an escalated approver gets the email: the stage had no decision within its `escalateAfter`,
 * and who else is listed for it (the recipient, and the approver a delegate stands in for, left out).
 */
function escalationSentence(request: ApprovalRequest, stageName: string | undefined, options: ApproverEmailOptions): string {
  const stage = request.stages?.[request.currentStage ?? 0];
  const me = [options.recipient, options.forApprover].flatMap((address) => (address ? [address.toLowerCase()] : []));
  const others = request.approvers.filter((address) => !me.includes(address.toLowerCase()));
  return (
    `${options.forApprover ?? 'You'} ${options.forApprover ? 'was' : 'were'} added as an approver of ${stageName ?? 'this request'} ` +
    `because it had no decision within ${stage?.escalateAfter ? textLine(stage.escalateAfter) : 'the time its profile allows'}; ` +
    `${request.requester.email} asks for your approval. ${others.length ? `Also listed: ${others.join(', ')}.` : 'Nobody else is listed.'}`
  );
}

/**
 * The email to one approver of a pending request (or a reminder of it). The links open a page
 * that asks for confirmation: following a link alone never decides anything, so mail scanners
 * that open every link cannot approve.
 */
export function approverEmail(
  request: ApprovalRequest,
  links: { approve: string; reject: string },
  options: ApproverEmailOptions,
): EmailContent {
  const label = kindLabel(request);
  // A delegate's copy (out of office): the subject and the first line name whom they decide for.
  const delegated = options.forApprover ? ` for ${options.forApprover}` : '';
  const requester = request.requester.email;
  const escalation = options.escalation && !options.reminder && !options.holdEnded;
  const heading = options.reminder
    ? 'Reminder: approval still needed'
    : options.holdEnded
      ? 'Hold ended, approval needed'
      : escalation
        ? 'Escalated: approval needed'
        : 'Approval needed';
  const stage = stageProgress(request);
  // A profile's text like any other: one line, no live address, wherever the email shows it.
  const stageName = stage.label === undefined ? undefined : textLine(stage.label);
  const subject = subjectLine(
    `${heading}${stageName ? ` (${stageName})` : ''}${delegated}: ${label} requested by ${requester} [${shortId(request)}]`,
  );
  const stand = options.forApprover
    ? ` You get this as the delegate of ${options.forApprover}, who is out of office: your decision counts once for them.`
    : '';
  const intro = `${
    options.reminder
      ? `This request is still waiting for a decision and expires ${formatTime(request.expiresAt)}.`
      : options.holdEnded
        ? `The hold on this request ended; ${requester} still asks for your approval. It now expires ${formatTime(request.expiresAt)}.`
        : escalation
          ? escalationSentence(request, stageName, options)
          : `${requester} asks for your approval.`
  }${stand}`;
  const progress = stageName
    ? `You are asked as an approver of ${stageName}; it has ${stage.approvals} of ${stage.required} approval(s) needed.`
    : `It has ${stage.approvals} of ${stage.required} approval(s) needed.`;
  const safety =
    'Each link opens a page where you confirm your decision; nothing is decided until you press the button there. A rejection needs a reason.';

  const text = [
    `${label}: ${intro}`,
    progress,
    '',
    // The CSR policy's findings, before the links: approvers read them before they decide.
    ...findingsText(request),
    `Approve: ${links.approve}`,
    `Reject: ${links.reject}`,
    '',
    safety,
    '',
    ...requestDetailsText(request),
    'Sent by the approval service. Do not reply to this message.',
    '',
  ].join('\n');

  const html = layout(
    options.reminder ? `Reminder: ${label}` : options.holdEnded ? `Hold ended: ${label}` : escalation ? `Escalated: ${label}` : label,
    `${escapeHtml(intro)} ${escapeHtml(progress)}`,
    findingsHtml(request) +
      `<div style="margin:8px 0 4px;">${buttonHtml(links.approve, 'Approve', COLORS.approve)}${buttonHtml(links.reject, 'Reject', COLORS.reject)}</div>` +
      `<p style="margin:0 0 8px;font-size:13px;line-height:1.5;color:#57606a;">${escapeHtml(safety)}</p>` +
      requestDetailsHtml(request) +
      `<p style="margin:20px 0 0;font-size:12px;line-height:1.5;color:#57606a;word-break:break-all;">If the buttons do not work, open these addresses:<br>` +
      `Approve: <a href="${escapeHtml(links.approve)}" target="_blank" rel="noopener noreferrer" style="color:#0969da;">${escapeHtml(links.approve)}</a><br>` +
      `Reject: <a href="${escapeHtml(links.reject)}" target="_blank" rel="noopener noreferrer" style="color:#0969da;">${escapeHtml(links.reject)}</a></p>`,
  );
  return { subject, text, html };
}

const OUTCOME_WORDS = { approved: 'Approved', rejected: 'Rejected', expired: 'Expired', deleted: 'Deleted' } as const;

/** What happened to a request, in one sentence for its requester. */
export function outcomeSentence(request: ApprovalRequest): string {
  const decision = request.decision;
  const by = actorLabel(decision?.by);
  const at = formatTime(decision?.at ?? request.updatedAt);
  switch (request.state) {
    case 'approved':
      return decision?.by.id === 'policy'
        ? `Your request was approved automatically at ${at}: ${decision.reason ?? 'its profile does not require approval'}.`
        : `Your request was approved by ${by} at ${at}.`;
    case 'rejected':
      return `Your request was rejected by ${by} at ${at}.`;
    case 'expired':
      // Some may have approved short of the quorum, or held it (which moved the expiry): it was not decided.
      return `Your request expired at ${at} before it got the approvals it needed (it was to be decided within ${request.expireAfter}, plus any time on hold).`;
    case 'deleted':
      return `Your request was deleted by ${by} at ${at}.`;
    default:
      return `Your request is ${request.state}.`;
  }
}

/** The email to the requester once a request is approved, rejected (with the reason), expired or deleted. */
export function outcomeEmail(request: ApprovalRequest): EmailContent {
  if (request.state === 'requested') throw new Error(`request ${request.id} is still pending: there is no outcome to tell`);
  const word = OUTCOME_WORDS[request.state];
  const label = kindLabel(request);
  const subject = subjectLine(`${word}: ${label} [${shortId(request)}]`);
  const sentence = outcomeSentence(request);
  const reason = request.state === 'rejected' || request.state === 'deleted' ? request.decision?.reason : undefined;
  const comment = request.decision?.comment;
  const approvedBy = request.approvals.map((approval) => `${actorLabel(approval.by)} at ${formatTime(approval.at)}`);

  const text = [
    `${label}: ${sentence}`,
    ...(reason ? textField('Reason', defangText(reason)) : []),
    ...(comment ? textField('Comment', defangText(comment)) : []),
    ...(approvedBy.length ? [`Approved by: ${approvedBy.join('; ')}`] : []),
    '',
    ...requestDetailsText(request),
    'Sent by the approval service. Do not reply to this message.',
    '',
  ].join('\n');

  const color = request.state === 'approved' ? COLORS.approve : request.state === 'rejected' ? COLORS.reject : COLORS.neutral;
  const notes =
    (reason
      ? `<p style="margin:0 0 12px;padding:12px 16px;border-left:4px solid ${color};background:#f6f8fa;font-size:15px;line-height:1.5;"><strong>Reason:</strong> ${escapeHtml(defangText(reason))}</p>`
      : '') +
    (comment
      ? `<p style="margin:0 0 12px;font-size:14px;line-height:1.5;"><strong>Comment:</strong> ${escapeHtml(defangText(comment))}</p>`
      : '');
  const html = layout(
    `${word}: ${label}`,
    `<span style="display:inline-block;padding:2px 10px;border-radius:12px;background:${color};color:#ffffff;font-size:13px;font-weight:600;">${escapeHtml(word)}</span> ${escapeHtml(sentence)}`,
    notes + requestDetailsHtml(request),
  );
  return { subject, text, html };
}

/** How an ended request closed, in one sentence for an approver who did not decide. */
export function closedSentence(request: ApprovalRequest): string {
  const by = actorLabel(request.decision?.by);
  const at = formatTime(request.decision?.at ?? request.updatedAt);
  switch (request.state) {
    case 'approved':
      return `It was approved by ${by} at ${at}.`;
    case 'rejected':
      return `It was rejected by ${by} at ${at}.`;
    case 'expired':
      return `It expired at ${at} before it got the approvals it needed.`;
    case 'deleted':
      return `It was deleted by ${by} at ${at}.`;
    default:
      return `It is ${request.state}.`;
  }
}

/**
 * The short email to an approver who was emailed about a request and did not decide, once it
 * ended: closed, how, by whom and when, so nobody follows a link that no longer works. No links,
 * and no text people wrote (no reason, comment or subject): only the service's own words, the
 * request id, its kind and the decider's address, each on a line of its own behind the margin.
 */
export function closingEmail(request: ApprovalRequest): EmailContent {
  if (request.state === 'requested') throw new Error(`request ${request.id} is still pending: it is not closed`);
  const word = OUTCOME_WORDS[request.state];
  const label = kindLabel(request);
  const subject = subjectLine(`Closed (${word.toLowerCase()}): ${label} [${shortId(request)}]`);
  const intro = 'This request is closed: nothing is left to decide, and the links in earlier emails about it no longer work.';
  const sentence = closedSentence(request);
  const rows: [string, string][] = [
    ['Request id', request.id],
    ['Kind', `${label} (${request.kind})`],
    ['Outcome', request.state],
    ['By', actorLabel(request.decision?.by)],
    ['At', formatTime(request.decision?.at ?? request.updatedAt)],
  ];

  const text = [
    `${label}: ${intro}`,
    textLine(sentence),
    '',
    'Request',
    ...rows.flatMap(([name, value]) => textField(name, value, DETAIL_MARGIN)),
    '',
    'Sent by the approval service. Do not reply to this message.',
    '',
  ].join('\n');

  const html = layout(
    `Closed: ${label}`,
    `<span style="display:inline-block;padding:2px 10px;border-radius:12px;background:${COLORS.neutral};color:#ffffff;font-size:13px;font-weight:600;">${escapeHtml(word)}</span> ${escapeHtml(intro)} ${escapeHtml(defang(sentence))}`,
    tableHtml('Request', rows),
  );
  return { subject, text, html };
}
