import Badge from '@cloudscape-design/components/badge';
import Box from '@cloudscape-design/components/box';
import BreadcrumbGroup from '@cloudscape-design/components/breadcrumb-group';
import Button from '@cloudscape-design/components/button';
import Container from '@cloudscape-design/components/container';
import Flashbar, { type FlashbarProps } from '@cloudscape-design/components/flashbar';
import Header from '@cloudscape-design/components/header';
import KeyValuePairs from '@cloudscape-design/components/key-value-pairs';
import Modal from '@cloudscape-design/components/modal';
import SpaceBetween from '@cloudscape-design/components/space-between';
import Spinner from '@cloudscape-design/components/spinner';
import { useCallback, useEffect, useState } from 'react';
import { useNavigate, useParams, useSearchParams } from 'react-router';
import type { ApprovalRequest, RequestWithHistory } from '../api';
import { ApiError } from '../api';
import { basePath } from '../config';
import { ErrorAlert, messageOf } from '../errors';
import { approvalRecordedText, kindLabel } from '../format';
import { mayDecide, mayDecideFor, mayDelete, mayRelease } from '../permissions';
import { useSession } from '../session';
import { Time } from '../Time';
import { DecisionDialog, type DecisionKind, type DialogKind, type FieldErrors } from './request/DecisionDialog';
import { Findings } from './request/Findings';
import { History } from './request/History';
import { ExecutionReport, ReceiptSection } from './request/Receipt';
import { SubjectInformation } from './request/SubjectInformation';
import { mayRemind, ReminderDialog } from './request/Reminder';
import { downloadText } from '../download';
import { formatDuration } from '../duration';
import { formatLocal } from '../time';
import { Stages } from './request/Stages';
import { Approvals, RequestInformation } from './request/Summary';
import { currentStageIndex, stageProgress, stagesOf } from '../../../functions/domain/stages';

const DECISION_NAMES: Record<DecisionKind, string> = { approve: 'Approve', reject: 'Reject', hold: 'Put on hold', release: 'Release hold' };

/** A 400's field problems, on the dialog's fields (anything else on the text field). */
function fieldErrors(error: ApiError): FieldErrors {
  const errors: FieldErrors = {};
  for (const issue of error.fieldIssues) {
    const field = issue.field === 'comment' || issue.field === 'reason' || issue.field === 'until' ? issue.field : 'other';
    errors[field] = errors[field] ?? `${issue.field} ${issue.message}`;
  }
  return Object.keys(errors).length > 0 ? errors : { other: messageOf(error) };
}

/** What an approval does to this request: complete it, or count towards the approvals it needs. */
function approveIntro(request: ApprovalRequest): string {
  const { label, approvals, required } = stageProgress(request);
  const count = approvals + 1;
  const rest = required - count;
  const stages = stagesOf(request);
  const where = label ? ` in ${label}` : '';
  if (rest <= 0 && label && (currentStageIndex(request) ?? 0) < stages.length - 1) {
    return `Yours is approval ${count} of ${required}${where}: the next stage starts and its approvers are emailed.`;
  }
  return rest <= 0
    ? `Yours is approval ${count} of ${required}${where}: the request will be approved.`
    : `Yours is approval ${count} of ${required}${where}: the request stays pending until ${rest} more approve.`;
}

export function RequestPage() {
  const { id = '' } = useParams();
  // Opened from a delegated task: the signed-in delegate decides for this approver (out of office).
  const delegatedFor = useSearchParams()[0].get('for') ?? undefined;
  const { api, who } = useSession();
  const navigate = useNavigate();
  const [request, setRequest] = useState<RequestWithHistory>();
  const [loadError, setLoadError] = useState<unknown>();
  const [flash, setFlash] = useState<FlashbarProps.MessageDefinition[]>([]);
  const [busy, setBusy] = useState<string>();
  const [deciding, setDeciding] = useState<DialogKind>();
  const [decisionError, setDecisionError] = useState<FieldErrors>();
  const [deleting, setDeleting] = useState(false);
  const [reminding, setReminding] = useState(false);

  const load = useCallback(async () => {
    try {
      setRequest(await api.getRequest(id));
      setLoadError(undefined);
    } catch (error) {
      setLoadError(error);
    }
  }, [api, id]);
  useEffect(() => {
    void load();
  }, [load]);

  const say = (type: FlashbarProps.Type, content: string, header?: string) =>
    setFlash([
      { type, header, content, dismissible: true, dismissLabel: 'Dismiss', id: String(Date.now()), onDismiss: () => setFlash([]) },
    ]);

  /**
   * Runs an action; a refusal shows the API's message, and the page shows the request as it is now. The
   * success message waits for the reload, so it never shows beside the buttons of the request as it was.
   */
  const act = async (name: string, action: () => Promise<ApprovalRequest>, done: (request: ApprovalRequest) => string) => {
    setBusy(name);
    try {
      const updated = await action();
      await load();
      say('success', done(updated));
      return undefined;
    } catch (error) {
      const status = error instanceof ApiError ? ` (${error.status})` : '';
      say('error', messageOf(error), `${name} refused${status}`);
      await load();
      return error;
    } finally {
      setBusy(undefined);
    }
  };

  if (loadError) {
    return (
      <SpaceBetween size="m">
        <Header variant="h1">Request {id}</Header>
        <ErrorAlert error={loadError} />
      </SpaceBetween>
    );
  }
  if (!request) return <Spinner size="large" />;

  const downloadEvidence = async () => {
    setBusy('Download evidence');
    try {
      const evidence = await api.evidence(request.id);
      downloadText(`evidence-${request.id}.json`, `${JSON.stringify(evidence, null, 2)}\n`, 'application/json');
      say('success', `Downloaded evidence-${request.id}.json: the request, its whole history, the emails sent and the callback attempts.`);
    } catch (error) {
      say('error', messageOf(error), 'Download evidence refused');
    } finally {
      setBusy(undefined);
    }
  };
  const sendReminder = async () => {
    setBusy('Send reminder');
    try {
      const sent = await api.remind(request.id);
      await load();
      say(
        'success',
        sent.recipients.length
          ? `Reminder sent to ${sent.recipients.join(', ')}.`
          : 'No awaited approver may still decide: nobody was emailed.',
      );
    } catch (error) {
      const status = error instanceof ApiError ? ` (${error.status})` : '';
      const next =
        error instanceof ApiError && error.status === 429 ? (error.details as { nextAllowedAt?: string })?.nextAllowedAt : undefined;
      const message = next
        ? `The approvers were emailed less than ${formatDuration(request.remindAfter)} ago. You can send a reminder from ${formatLocal(next)}.`
        : messageOf(error);
      say('error', message, `Send reminder refused${status}`);
    } finally {
      setBusy(undefined);
      setReminding(false);
    }
  };
  const decider = mayDecide(request, who) || (delegatedFor !== undefined && mayDecideFor(request, who, delegatedFor));
  const deleter = mayDelete(request, who);
  const releaser = request.onHold && mayRelease(request, who);
  const decided = (updated: ApprovalRequest) =>
    updated.state === 'approved'
      ? 'Request approved.'
      : updated.state === 'rejected'
        ? 'Request rejected.'
        : updated.onHold
          ? `Request put on hold${updated.hold?.until ? ' until the time you chose' : ''}. It stays pending.`
          : `${approvalRecordedText(updated)}.`;
  const decisionButton = (decision: DialogKind, primary = false) => (
    <Button
      variant={primary ? 'primary' : 'normal'}
      onClick={() => {
        setDecisionError(undefined);
        setDeciding(decision);
      }}
      loading={busy === DECISION_NAMES[decision]}
      disabled={!!busy}
    >
      {DECISION_NAMES[decision]}
    </Button>
  );

  return (
    <SpaceBetween size="l">
      <BreadcrumbGroup
        items={[
          { text: 'Requests', href: `${basePath}/requests` },
          { text: request.id, href: `${basePath}/requests/${request.id}` },
        ]}
        onFollow={(event) => {
          event.preventDefault();
          navigate(event.detail.href.slice(basePath.length));
        }}
      />
      <Flashbar items={flash} />
      <Header
        variant="h1"
        description={request.id}
        actions={
          <SpaceBetween direction="horizontal" size="xs">
            {releaser ? (
              <Button
                onClick={() =>
                  act(
                    'Release hold',
                    () => api.decide(request.id, { decision: 'release' }),
                    () => 'Hold released. Reminders resume.',
                  )
                }
                loading={busy === 'Release hold'}
                disabled={!!busy}
              >
                Release hold
              </Button>
            ) : null}
            {decider ? (
              <>
                {/* A held request offers Release hold instead of a second hold. */}
                {request.onHold ? null : decisionButton('hold')}
                {decisionButton('reject')}
                {decisionButton('approve', true)}
              </>
            ) : null}
            {deleter ? (
              <Button onClick={() => setDeleting(true)} disabled={!!busy}>
                Delete request
              </Button>
            ) : null}
            {mayRemind(request, who) ? (
              <Button onClick={() => setReminding(true)} disabled={!!busy}>
                Send reminder
              </Button>
            ) : null}
            <Button iconName="download" onClick={downloadEvidence} loading={busy === 'Download evidence'} disabled={!!busy}>
              Download evidence
            </Button>
          </SpaceBetween>
        }
      >
        {kindLabel(request.kind)}{' '}
        {request.onHold ? (
          <Badge color="severity-medium">
            {request.hold?.until ? (
              <>
                On hold until <Time iso={request.hold.until} />
              </>
            ) : (
              'On hold'
            )}
          </Badge>
        ) : null}
        {delegatedFor && decider && !mayDecide(request, who) ? (
          <Badge color="blue">{`Deciding for ${delegatedFor} (out of office)`}</Badge>
        ) : null}
      </Header>

      <Findings request={request} />
      <RequestInformation request={request} />
      <SubjectInformation request={request} />
      <Container header={<Header variant="h2">Requester information</Header>}>
        <KeyValuePairs
          columns={3}
          items={[
            { label: 'Requester email', value: request.requester.email },
            { label: 'Requester id', value: request.requester.id },
          ]}
        />
      </Container>
      <Stages request={request} />
      <Approvals request={request} />
      {request.state === 'approved' ? <ReceiptSection request={request} /> : null}
      {request.state === 'approved' ? <ExecutionReport request={request} /> : null}
      <History request={request} />

      <DecisionDialog
        decision={deciding}
        intro={deciding === 'approve' ? approveIntro(request) : undefined}
        busy={!!deciding && busy === DECISION_NAMES[deciding]}
        errors={decisionError}
        commentRequired={deciding === 'approve' || deciding === 'hold' ? !!request.requireCommentOn?.includes(deciding) : false}
        onDismiss={() => setDeciding(undefined)}
        onSubmit={async (body) => {
          setDecisionError(undefined);
          const error = await act(DECISION_NAMES[body.decision], () => api.decide(request.id, body), decided);
          // Bad input (400) stays in the dialog to be corrected; anything else closes it onto the page's message.
          if (error instanceof ApiError && error.status === 400) setDecisionError(fieldErrors(error));
          else setDeciding(undefined);
        }}
      />

      <ReminderDialog
        request={request}
        visible={reminding}
        busy={busy === 'Send reminder'}
        onDismiss={() => setReminding(false)}
        onSend={sendReminder}
      />

      <Modal
        visible={deleting}
        onDismiss={() => setDeleting(false)}
        header="Delete request"
        closeAriaLabel="Close"
        footer={
          <Box float="right">
            <SpaceBetween direction="horizontal" size="xs">
              <Button variant="link" onClick={() => setDeleting(false)}>
                Cancel
              </Button>
              <Button
                variant="primary"
                loading={busy === 'Delete request'}
                onClick={async () => {
                  await act(
                    'Delete request',
                    () => api.deleteRequest(request.id),
                    () => 'Request deleted. It is kept for the audit trail.',
                  );
                  setDeleting(false);
                }}
              >
                Delete
              </Button>
            </SpaceBetween>
          </Box>
        }
      >
        The request stops waiting for approval and is kept, in state Deleted, for the audit trail.
      </Modal>
    </SpaceBetween>
  );
}
