import Box from '@cloudscape-design/components/box';
import Container from '@cloudscape-design/components/container';
import Header from '@cloudscape-design/components/header';
import StatusIndicator, { type StatusIndicatorProps } from '@cloudscape-design/components/status-indicator';
import Table from '@cloudscape-design/components/table';
import type { ApprovalRequest } from '../../api';

type Finding = NonNullable<ApprovalRequest['findings']>[number];

const SEVERITY: Record<Finding['severity'], { word: string; type: StatusIndicatorProps.Type }> = {
  high: { word: 'High', type: 'error' },
  medium: { word: 'Medium', type: 'warning' },
  low: { word: 'Low', type: 'info' },
};

/**
 * A P10's CSR checked against its profile's certificate request policy at create: each finding with
 * its severity and plain words, above the rest of the request so approvers read it before deciding.
 * Nothing when the request was not checked (no policy, or not a P10 enrollment).
 */
export function Findings({ request }: { request: ApprovalRequest }) {
  const findings = request.findings;
  if (!findings) return null;
  const high = findings.filter((finding) => finding.severity === 'high').length;
  const header = (
    <Header
      variant="h2"
      counter={findings.length ? `(${findings.length})` : undefined}
      description={
        findings.length
          ? `The CSR breaks this profile's certificate request policy${high ? ` (${high} high)` : ''}. Check before you decide.`
          : undefined
      }
    >
      Certificate request policy
    </Header>
  );
  if (findings.length === 0) {
    return (
      <Container header={header}>
        <StatusIndicator type="success">The CSR meets this profile's certificate request policy.</StatusIndicator>
      </Container>
    );
  }
  return (
    <Table
      header={header}
      variant="container"
      items={findings}
      trackBy="code"
      wrapLines
      columnDefinitions={[
        {
          id: 'severity',
          header: 'Severity',
          width: 130,
          cell: (finding) => <StatusIndicator type={SEVERITY[finding.severity].type}>{SEVERITY[finding.severity].word}</StatusIndicator>,
        },
        { id: 'message', header: 'Finding', cell: (finding) => finding.message },
        { id: 'code', header: 'Rule', width: 220, cell: (finding) => <Box variant="code">{finding.code}</Box> },
      ]}
    />
  );
}
