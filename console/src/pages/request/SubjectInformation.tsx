import Box from '@cloudscape-design/components/box';
import Container from '@cloudscape-design/components/container';
import Header from '@cloudscape-design/components/header';
import KeyValuePairs from '@cloudscape-design/components/key-value-pairs';
import SpaceBetween from '@cloudscape-design/components/space-between';
import type { ApprovalRequest } from '../../api';
import { OTHER_FIELDS_HEADER, subjectFields } from '../../subject';
import { CsrDetails } from './CsrDetails';
import { show } from './show';

/**
 * Card or Certificate information: the kind's own subject fields first, then any other keys the
 * requester gave, apart and quoted; and a P10's certificate request decoded.
 */
export function SubjectInformation({ request }: { request: ApprovalRequest }) {
  const certificate = request.kind.startsWith('certificate.');
  const { known, other } = subjectFields(request.kind, request.subject);
  const csr = request.kind === 'certificate.enroll' ? request.subject.csr : undefined;
  // Beside the holder id: the holder as the directory knew them when the request was created (never what the body said).
  const holder = [
    ...(request.holder?.name ? [{ label: 'Holder name', value: request.holder.name }] : []),
    ...(request.holder?.email ? [{ label: 'Holder email', value: request.holder.email }] : []),
  ];
  const items = known.flatMap((field) => [{ label: field.label, value: show(field.value) }, ...(field.name === 'holderId' ? holder : [])]);
  if (!known.some((field) => field.name === 'holderId')) items.push(...holder);
  return (
    <Container header={<Header variant="h2">{certificate ? 'Certificate information' : 'Card information'}</Header>}>
      <SpaceBetween size="l">
        <div data-testid="subject-information">
          <KeyValuePairs columns={3} items={items} />
        </div>
        {other.length ? (
          <SpaceBetween size="s">
            <Box variant="h3">{OTHER_FIELDS_HEADER}</Box>
            <Box variant="small">Not fields of this kind: the service keeps them as sent and does not check them.</Box>
            <div data-testid="subject-other-fields">
              <KeyValuePairs columns={3} items={other.map((field) => ({ label: field.label, value: show(field.value) }))} />
            </div>
          </SpaceBetween>
        ) : null}
        {typeof csr === 'string' ? (
          <SpaceBetween size="s">
            <Box variant="h3">Certificate request (PKCS#10)</Box>
            <CsrDetails pem={csr} requestId={request.id} names={request.csr?.subjectAlternativeNames} />
          </SpaceBetween>
        ) : null}
      </SpaceBetween>
    </Container>
  );
}
