import Box from '@cloudscape-design/components/box';
import Container from '@cloudscape-design/components/container';
import Header from '@cloudscape-design/components/header';
import KeyValuePairs from '@cloudscape-design/components/key-value-pairs';
import SpaceBetween from '@cloudscape-design/components/space-between';
import type { ApprovalRequest } from '../../api';
import { CsrDetails } from './CsrDetails';
import { show } from './show';

/** Labels for the subject fields the contract names; other fields keep their own names. */
const SUBJECT_LABELS: Record<string, string> = {
  method: 'Enrollment method',
  subjectDn: 'Subject DN',
  serialNumber: 'Serial number',
  issuerDn: 'Issuer DN',
  holderId: 'Holder ID',
  cardProfile: 'Card profile',
  count: 'Number of cards',
  cardSerial: 'Card serial',
};

/** Card or Certificate information: the subject's fields, and a P10's certificate request decoded. */
export function SubjectInformation({ request }: { request: ApprovalRequest }) {
  const certificate = request.kind.startsWith('certificate.');
  const { csr, ...rest } = request.subject;
  // Beside the holder id: the holder as the directory knew them when the request was created (never what the body said).
  const holder = [
    ...(request.holder?.name ? [{ label: 'Holder name', value: request.holder.name }] : []),
    ...(request.holder?.email ? [{ label: 'Holder email', value: request.holder.email }] : []),
  ];
  const items = Object.entries(rest).flatMap(([name, value]) => [
    { label: SUBJECT_LABELS[name] ?? name, value: show(value) },
    ...(name === 'holderId' ? holder : []),
  ]);
  if (!('holderId' in rest)) items.push(...holder);
  return (
    <Container header={<Header variant="h2">{certificate ? 'Certificate information' : 'Card information'}</Header>}>
      <SpaceBetween size="l">
        <div data-testid="subject-information">
          <KeyValuePairs columns={3} items={items} />
        </div>
        {typeof csr === 'string' ? (
          <SpaceBetween size="s">
            <Box variant="h3">Certificate request (PKCS#10)</Box>
            <CsrDetails pem={csr} requestId={request.id} />
          </SpaceBetween>
        ) : null}
      </SpaceBetween>
    </Container>
  );
}
