import Container from '@cloudscape-design/components/container';
import Header from '@cloudscape-design/components/header';
import KeyValuePairs from '@cloudscape-design/components/key-value-pairs';
import StatusIndicator from '@cloudscape-design/components/status-indicator';
import type { ReactNode } from 'react';
import type { ApprovalRequest } from '../../api';
import { actingText, approvedByPolicy, STATE_INDICATOR, stateText } from '../../format';
import { dueAt } from '../../../../functions/domain/hold';
import { awaitedApprovers } from '../../permissions';
import { EndOf, FromNow, Time } from '../../Time';
import { show } from './show';
import { stageProgress } from '../../../../functions/domain/stages';

type Pair = { label: string; value: ReactNode };
const pairs = (items: Array<Pair | false | undefined>) =>
  items.filter((item): item is Pair => !!item).map((item) => ({ label: item.label, value: item.value }));

export function RequestInformation({ request }: { request: ApprovalRequest }) {
  const decision = request.decision;
  return (
    <Container header={<Header variant="h2">Request information</Header>}>
      <KeyValuePairs
        columns={3}
        items={pairs([
          {
            label: 'State',
            value: <StatusIndicator type={STATE_INDICATOR[request.state] ?? 'info'}>{stateText(request)}</StatusIndicator>,
          },
          { label: 'Kind', value: request.kind },
          { label: 'Profile', value: request.profileId },
          { label: 'Created', value: <Time iso={request.createdAt} /> },
          { label: 'Updated', value: <Time iso={request.updatedAt} /> },
          request.state === 'requested'
            ? {
                label: 'Expires',
                // While held until a time the expiry waits: it moves later by the time held.
                value:
                  request.onHold && request.hold?.until ? (
                    <>
                      <Time iso={dueAt(request)} /> (<FromNow iso={dueAt(request)} />, if the hold lasts until its end)
                    </>
                  ) : (
                    <>
                      <Time iso={request.expiresAt} /> (<FromNow iso={request.expiresAt} />)
                    </>
                  ),
              }
            : { label: 'Ended', value: <EndOf request={request} /> },
          { label: 'Justification', value: show(request.justification) },
          request.onHold && request.hold
            ? {
                label: 'On hold',
                value: (
                  <>
                    {request.hold.until ? (
                      <>
                        until <Time iso={request.hold.until} />,{' '}
                      </>
                    ) : null}
                    by {actingText(request.hold)} at <Time iso={request.hold.at} />
                    {request.hold.comment ? `: ${request.hold.comment}` : ''}
                  </>
                ),
              }
            : undefined,
          !!decision?.reason && { label: 'Reason', value: decision.reason },
          !!decision?.comment && { label: 'Comment', value: decision.comment },
        ])}
      />
    </Container>
  );
}

export function Approvals({ request }: { request: ApprovalRequest }) {
  const awaited = awaitedApprovers(request);
  const policy = approvedByPolicy(request);
  return (
    <Container header={<Header variant="h2">Approvals</Header>}>
      <KeyValuePairs
        columns={3}
        items={[
          {
            label: 'Approvals so far',
            value: policy
              ? 'None needed: approved by policy'
              : `${stageProgress(request).approvals} of ${request.requiredApprovals} required${stageProgress(request).label ? ` in ${stageProgress(request).label}` : ''}`,
          },
          {
            label: 'Approved by',
            value: request.approvals.length ? (
              <ul className="plain-list">
                {request.approvals.map((approval) => (
                  <li key={`${approval.by.id}-${approval.at}`}>
                    {actingText(approval)} at <Time iso={approval.at} />
                    {approval.comment ? `: ${approval.comment}` : ''}
                  </li>
                ))}
              </ul>
            ) : policy ? (
              'Policy: the profile does not require approval for this kind'
            ) : (
              'Nobody yet'
            ),
          },
          {
            label: 'Still awaited',
            value: request.state !== 'requested' ? 'Nobody (no longer pending)' : awaited.length ? awaited.join(', ') : 'Nobody',
          },
        ]}
      />
    </Container>
  );
}
