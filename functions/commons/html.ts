/**
 * HTML shared by the emails and the link pages: escaping, and the request shown as tables
 * (request information, its subject, its requester). Inline styles and table layout only, so
 * the same markup renders in mail clients (which drop <style>) and in the strict-CSP pages.
 * Everything that comes from a user goes through `escapeHtml`.
 */
import { stageProgress, stagesOf } from '../domain/stages';
import { CRL_REASON_LABELS, type CrlReason, KIND_LABELS, knownSubjectFields } from '../domain/kinds';
import { type Actor, type ApprovalRequest, WORKFLOW_ACTOR } from '../domain/model';

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text safe in element content and in quoted attribute values. */
export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (char) => ENTITIES[char] ?? char);
}

/** `2026-11-03 14:05 UTC`, or the input as it is when it is not a date. */
export function formatTime(iso: string | undefined): string {
  if (!iso) return '';
  const time = Date.parse(iso);
  if (Number.isNaN(time)) return iso;
  return `${new Date(time).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** Who did something, in words. */
export function actorLabel(actor: Actor | undefined): string {
  if (!actor) return 'unknown';
  if (actor.id === 'policy') return 'the profile policy (automatically)';
  if (actor.id === WORKFLOW_ACTOR.id) return 'the service';
  return actor.email ?? actor.id;
}

export function kindLabel(request: Pick<ApprovalRequest, 'kind'>): string {
  return KIND_LABELS[request.kind] ?? request.kind;
}

const SUBJECT_LABELS: Record<string, string> = {
  method: 'Enrollment method',
  subjectDn: 'Subject DN',
  csr: 'Certificate request (CSR)',
  serialNumber: 'Serial number',
  issuerDn: 'Issuer DN',
  reasonCode: 'Reason code',
  holderId: 'Holder',
  holderEmail: 'Holder email',
  cardProfile: 'Card profile',
  count: 'Number of cards',
  cardSerial: 'Card serial number',
};

/**
 * A label for a subject field: known fields in words, any other key quoted as a JSON string
 * (`"Approve"`), so a key the requester chose never reads as one of the service's own labels.
 */
export function subjectLabel(field: string): string {
  return Object.hasOwn(SUBJECT_LABELS, field) ? (SUBJECT_LABELS[field] as string) : JSON.stringify(field);
}

/** The title of the subject keys beyond the kind's own, shown apart after them. */
export const OTHER_FIELDS_TITLE = 'Other fields (given by the requester)';

/**
 * User text with every URL made inert: `scheme://` becomes `scheme[:]//`, so no mail client or
 * reader takes a value for a link: the emails and link pages show only the service's own links
 * as links. (Host names such as `www.example.com` in a DN stay as they are: they must read exactly.)
 */
export function defang(value: string): string {
  return value.replace(/([a-z][a-z0-9+.-]*):(?=\/\/)/gi, '$1[:]');
}

const DOTS = /[.\u3002\uFF0E\uFF61]/gu;
/** Labels and dots ending in a label of 2+ characters starting with a letter (`evil.example`), or an IPv4 address. */
const HOST_LIKE = /(?:[\p{L}\p{N}_-]+[.\u3002\uFF0E\uFF61])+\p{L}[\p{L}\p{N}-]*[\p{L}\p{N}]|\b\d{1,3}(?:\.\d{1,3}){3}\b/gu;

/**
 * Free text (a justification, a reason, a comment) made inert: `defang`, and every dot of what looks
 * like a host name broken (`www.evil.example/login` becomes `www[.]evil[.]example/login`), which mail
 * clients would link even without a scheme. Never for values the approver must read exactly (DNs,
 * serial numbers, host names of the subject).
 */
export function defangText(value: string): string {
  return defang(value).replace(HOST_LIKE, (host) => host.replace(DOTS, (dot) => `[${dot}]`));
}

/** A subject value as text: strings as they are, anything else as JSON. */
export function subjectValue(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === null || value === undefined) return '';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value, null, 2);
}

export type Row = [label: string, value: string, options?: { pre?: boolean }];

/** A revoke's or lock's reasonCode in words with its RFC 5280 name: `Key compromise (keyCompromise)`. */
function reasonCodeText(value: unknown): string | undefined {
  if (typeof value !== 'string' || !Object.hasOwn(CRL_REASON_LABELS, value)) return undefined;
  return `${CRL_REASON_LABELS[value as CrlReason]} (${value})`;
}

export function requestRows(request: ApprovalRequest): Row[] {
  const rows: Row[] = [
    ['Request id', request.id],
    ['Kind', `${kindLabel(request)} (${request.kind})`],
    ['State', request.onHold && request.state === 'requested' ? 'requested (on hold)' : request.state],
    ['Created', formatTime(request.createdAt)],
    ['Expires', formatTime(request.expiresAt)],
    ['Justification', request.justification ? defangText(request.justification) : '(none given)'],
    ['Approvals so far', `${stageProgress(request).approvals} of ${request.requiredApprovals}`],
  ];
  // With stages: which one runs (or ran last), and each stage's state.
  const progress = stageProgress(request);
  if (progress.label) {
    rows.splice(rows.length - 1, 0, ['Stage', progress.label]);
    rows.push([
      'Stages',
      stagesOf(request)
        .map((stage, index) => `${index + 1}. ${stage.name}: ${stage.status} (${stage.approvals.length} of ${stage.requiredApprovals})`)
        .join('; '),
    ]);
  }
  for (const approval of request.approvals) {
    rows.push([
      'Approved by',
      `${actorLabel(approval.by)} at ${formatTime(approval.at)}${approval.comment ? ` (${defangText(approval.comment)})` : ''}`,
    ]);
  }
  if (request.onHold && request.hold) {
    rows.push([
      'On hold',
      `by ${actorLabel(request.hold.by)} at ${formatTime(request.hold.at)}${request.hold.comment ? ` (${defangText(request.hold.comment)})` : ''}`,
    ]);
  }
  return rows;
}

/** One subject field as a row: long or multi-line values preformatted. */
const fieldRow = (label: string, text: string): Row => [label, text, { pre: text.includes('\n') || text.length > 80 }];

/**
 * The subject's fields of the request's kind, in their fixed order; a CSR is shown decoded first
 * (what it asks to be issued: subject, key, subject alternative names), then as its PEM, so nobody
 * has to read base64 to know what they approve. Other keys: `otherSubjectRows`.
 */
export function subjectRows(request: ApprovalRequest): Row[] {
  const subject = request.subject;
  const rows: Row[] = [];
  for (const field of knownSubjectFields(request.kind)) {
    if (!Object.hasOwn(subject, field)) continue;
    if (field === 'csr' && request.kind === 'certificate.enroll' && typeof subject.csr === 'string') rows.push(...csrRows(request));
    rows.push(fieldRow(subjectLabel(field), (field === 'reasonCode' && reasonCodeText(subject[field])) || subjectValue(subject[field])));
  }
  return rows;
}

/** The decoded CSR's rows, or a row saying it was not decoded. */
function csrRows(request: ApprovalRequest): Row[] {
  const decoded = request.csr;
  if (!decoded) return [['CSR decoded', 'not decoded (only a P10 request is): read the PEM below']];
  return [
    ['CSR subject', decoded.subject],
    ['CSR key', decoded.key],
    ['CSR subject alternative names', decoded.subjectAlternativeNames.join(', ') || '(none)'],
  ];
}

/** The subject's keys beyond its kind's own, as the requester wrote them: each key quoted as a JSON string. */
export function otherSubjectRows(request: ApprovalRequest): Row[] {
  const known = knownSubjectFields(request.kind);
  return Object.entries(request.subject)
    .filter(([field]) => !known.includes(field))
    .map(([field, value]) => fieldRow(JSON.stringify(field), subjectValue(value)));
}

/** The request's sections: its information, its subject, the requester's other subject keys (if any), its requester. */
function sections(request: ApprovalRequest): [string, Row[]][] {
  const others = otherSubjectRows(request);
  return [
    ['Request', requestRows(request)],
    [request.kind.startsWith('card.') ? 'Card' : 'Certificate', subjectRows(request)],
    ...(others.length ? [[OTHER_FIELDS_TITLE, others] as [string, Row[]]] : []),
    ['Requester', requesterRows(request)],
  ];
}

export function requesterRows(request: ApprovalRequest): Row[] {
  return [
    ['Email', request.requester.email],
    ['User id', request.requester.id],
  ];
}

const FONT = "-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif";

/** One titled table of label/value rows. */
export function tableHtml(title: string, rows: Row[]): string {
  const body = rows
    .map(([label, value, options]) => {
      const cell = options?.pre
        ? `<pre style="margin:0;white-space:pre-wrap;word-break:break-all;font-family:Menlo,Consolas,monospace;font-size:12px;line-height:1.4;color:#1f2328;">${escapeHtml(defang(value))}</pre>`
        : escapeHtml(defang(value));
      return (
        '<tr>' +
        `<th align="left" valign="top" style="padding:6px 12px 6px 0;width:34%;font-weight:600;color:#57606a;font-size:14px;border-top:1px solid #eaeef2;">${escapeHtml(defang(label))}</th>` +
        `<td valign="top" style="padding:6px 0;font-size:14px;color:#1f2328;border-top:1px solid #eaeef2;word-break:break-word;">${cell}</td>` +
        '</tr>'
      );
    })
    .join('');
  return (
    `<h2 style="margin:24px 0 8px;font-family:${FONT};font-size:16px;color:#1f2328;">${escapeHtml(title)}</h2>` +
    `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="border-collapse:collapse;font-family:${FONT};">${body}</table>`
  );
}

/** The request, its subject and its requester, as the emails and the link pages show them. */
export function requestDetailsHtml(request: ApprovalRequest): string {
  return sections(request)
    .map(([title, rows]) => tableHtml(title, rows))
    .join('');
}

/**
 * Text of a plain-text email line that cannot start a line of its own: every control character
 * is shown escaped (`\u000b`), and addresses are made inert (defang).
 */
export function textLine(value: string): string {
  return defang(value.replace(/[\p{Cc}\u2028\u2029]/gu, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`));
}

const LINE_BREAKS = /\r\n|\r|\n|\u2028|\u2029|\u0085|\v|\f/;

/**
 * A value of several lines (a CSR, JSON) in a plain-text email: each line on its own, behind
 * `margin`, so no line of a value (`Approve: https://…`) can pose as one of the email's own.
 */
export function textBlock(value: string, margin = '    | '): string[] {
  return value.split(LINE_BREAKS).map((line) => `${margin}${textLine(line)}`);
}

/**
 * `label: value` in a plain-text email, behind `margin`: on one line, or the label alone followed
 * by the value's lines, each behind the margin and indented further.
 */
export function textField(label: string, value: string, margin = ''): string[] {
  const multiline = LINE_BREAKS.test(value);
  if (!multiline) return [`${margin}${textLine(label)}: ${textLine(value)}`];
  return [`${margin}${textLine(label)}:`, ...textBlock(value, margin ? `${margin}    ` : '    | ')];
}

/**
 * The request as plain-text lines. Every line of a section starts with `  | `: what the requester
 * wrote (subject keys quoted, values, the justification) can never begin a line, so the email's own
 * `Approve:` and `Reject:` lines, which start at the margin, are the only lines that look like them.
 */
export function requestDetailsText(request: ApprovalRequest): string[] {
  const section = (title: string, rows: Row[]) => [title, ...rows.flatMap(([label, value]) => textField(label, value, DETAIL_MARGIN)), ''];
  return sections(request).flatMap(([title, rows]) => section(title, rows));
}

/** The margin of every line of the request's details in a plain-text email. */
export const DETAIL_MARGIN = '  | ';

/** A mail-safe button: a styled link inside a table cell. */
export function buttonHtml(href: string, label: string, color: string): string {
  return (
    `<table role="presentation" cellpadding="0" cellspacing="0" style="display:inline-table;margin:0 12px 12px 0;"><tr>` +
    `<td bgcolor="${color}" style="border-radius:6px;background:${color};">` +
    `<a href="${escapeHtml(href)}" target="_blank" rel="noopener noreferrer" style="display:inline-block;padding:12px 28px;font-family:${FONT};font-size:16px;font-weight:600;color:#ffffff;text-decoration:none;border-radius:6px;">${escapeHtml(label)}</a>` +
    '</td></tr></table>'
  );
}

export const COLORS = { approve: '#1a7f37', reject: '#cf222e', neutral: '#57606a', hold: '#9a6700' };
export const FONT_FAMILY = FONT;
