/**
 * The findings of a request's CSR under its profile's csrPolicy, as the approver email and the link
 * page show them before the decision: severity and plain words, most severe first. A request whose
 * CSR was checked and met the policy says so; one that was not checked shows nothing.
 * Finding messages quote names from the CSR: they go through `escapeHtml` and `defang` (HTML) and
 * `textLine` behind the margin (text), like everything else the requester wrote.
 */
import type { Finding, Severity } from '../domain/csr-policy';
import type { ApprovalRequest } from '../domain/model';
import { COLORS, DETAIL_MARGIN, defang, escapeHtml, FONT_FAMILY, textLine } from './html';

const SEVERITY_WORDS: Record<Severity, string> = { high: 'High', medium: 'Medium', low: 'Low' };
const SEVERITY_COLORS: Record<Severity, string> = { high: COLORS.reject, medium: COLORS.hold, low: COLORS.neutral };

export const FINDINGS_TITLE = 'Certificate request policy';

/** One sentence heading the findings: how many, or that the CSR meets the policy. */
export function findingsSummary(findings: Finding[]): string {
  if (findings.length === 0) return "The CSR meets this profile's certificate request policy.";
  const high = findings.filter((finding) => finding.severity === 'high').length;
  return (
    `The CSR breaks this profile's certificate request policy: ${findings.length} finding${findings.length === 1 ? '' : 's'}` +
    `${high ? ` (${high} high)` : ''}. Check ${findings.length === 1 ? 'it' : 'them'} before you decide.`
  );
}

/** The findings as an HTML block (inline styles: mail clients and the strict-CSP link pages alike); '' when unchecked. */
export function findingsHtml(request: Pick<ApprovalRequest, 'findings'>): string {
  const findings = request.findings;
  if (!findings) return '';
  const color = findings.some((finding) => finding.severity === 'high') ? COLORS.reject : findings.length ? COLORS.hold : COLORS.approve;
  const items = findings
    .map(
      (finding) =>
        '<li style="margin:6px 0;">' +
        `<span style="display:inline-block;min-width:58px;padding:1px 8px;margin-right:8px;border-radius:10px;background:${SEVERITY_COLORS[finding.severity]};color:#ffffff;font-size:12px;font-weight:600;text-align:center;">${SEVERITY_WORDS[finding.severity]}</span>` +
        `${escapeHtml(defang(finding.message))} <span style="color:#57606a;font-size:12px;">(${escapeHtml(finding.code)})</span></li>`,
    )
    .join('');
  return (
    `<div role="note" aria-label="${FINDINGS_TITLE}" style="margin:0 0 16px;padding:12px 16px;border-left:4px solid ${color};background:#f6f8fa;font-family:${FONT_FAMILY};font-size:14px;line-height:1.5;color:#1f2328;">` +
    `<strong>${FINDINGS_TITLE}:</strong> ${escapeHtml(findingsSummary(findings))}` +
    (items ? `<ul style="margin:8px 0 0;padding:0;list-style:none;">${items}</ul>` : '') +
    '</div>'
  );
}

/** The findings as plain-text lines, each behind the margin; none when unchecked. */
export function findingsText(request: Pick<ApprovalRequest, 'findings'>): string[] {
  const findings = request.findings;
  if (!findings) return [];
  return [
    FINDINGS_TITLE,
    `${DETAIL_MARGIN}${textLine(findingsSummary(findings))}`,
    ...findings.map(
      (finding) => `${DETAIL_MARGIN}${SEVERITY_WORDS[finding.severity]}: ${textLine(finding.message)} (${textLine(finding.code)})`,
    ),
    '',
  ];
}
