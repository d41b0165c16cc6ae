import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import Modal from '@cloudscape-design/components/modal';
import SpaceBetween from '@cloudscape-design/components/space-between';
import type { ApprovalRequest } from '../../api';
import { formatDuration } from '../../duration';
import { awaitedApprovers, type Identity } from '../../permissions';

/** The requester may remind the awaited approvers while the request is pending and not on hold. */
export const mayRemind = (request: ApprovalRequest, who: Identity) =>
  request.requester.id === who.id && request.state === 'requested' && !request.onHold && awaitedApprovers(request).length > 0;

/** Names the approvers the request awaits, and sends them a reminder on confirmation. */
export function ReminderDialog({
  request,
  visible,
  busy,
  onDismiss,
  onSend,
}: {
  request: ApprovalRequest;
  visible: boolean;
  busy: boolean;
  onDismiss: () => void;
  onSend: () => void;
}) {
  const awaited = awaitedApprovers(request);
  return (
    <Modal
      visible={visible}
      onDismiss={onDismiss}
      header="Send reminder"
      closeAriaLabel="Close"
      footer={
        <Box float="right">
          <SpaceBetween direction="horizontal" size="xs">
            <Button variant="link" onClick={onDismiss}>
              Cancel
            </Button>
            <Button variant="primary" loading={busy} onClick={onSend}>
              Send reminder
            </Button>
          </SpaceBetween>
        </Box>
      }
    >
      <SpaceBetween size="s">
        <Box>The request awaits these approvers; each gets a reminder email with their own links:</Box>
        <ul aria-label="Awaited approvers">
          {awaited.map((approver) => (
            <li key={approver}>{approver}</li>
          ))}
        </ul>
        <Box color="text-body-secondary">
          A reminder may go once every {formatDuration(request.remindAfter)} (the profile's reminder interval) after the last email to them.
        </Box>
      </SpaceBetween>
    </Modal>
  );
}
