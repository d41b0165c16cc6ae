import Badge from '@cloudscape-design/components/badge';
import Box from '@cloudscape-design/components/box';
import BreadcrumbGroup from '@cloudscape-design/components/breadcrumb-group';
import Button from '@cloudscape-design/components/button';
import Container from '@cloudscape-design/components/container';
import Flashbar, { type FlashbarProps } from '@cloudscape-design/components/flashbar';
import Form from '@cloudscape-design/components/form';
import FormField from '@cloudscape-design/components/form-field';
import Header from '@cloudscape-design/components/header';
import KeyValuePairs from '@cloudscape-design/components/key-value-pairs';
import Modal from '@cloudscape-design/components/modal';
import SpaceBetween from '@cloudscape-design/components/space-between';
import Spinner from '@cloudscape-design/components/spinner';
import StatusIndicator from '@cloudscape-design/components/status-indicator';
import Textarea from '@cloudscape-design/components/textarea';
import { type ReactNode, useCallback, useEffect, useState } from 'react';
import { useNavigate, useParams } from 'react-router';
import type { ApprovalRequest, HistoryEntry, RequestWithHistory } from '../api';
import { ApiError } from '../api';
import { basePath } from '../config';
import { type DecodedCsr, decodeCsr } from '../csr';
import { ErrorAlert, messageOf } from '../errors';
import { formatTime, kindLabel, STATE_INDICATOR, STATE_LABELS } from '../format';
import { awaitedApprovers, mayDecide, mayDelete } from '../permissions';
import { useSession } from '../session';

type Pair = { label: string; value: ReactNode };
const pairs = (items: Array<Pair | false | undefined>) =>
  items.filter((item): item is Pair => !!item).map((item) => ({ label: item.label, value: item.value }));
const show = (value: unknown): string =>
  value === undefined || value === null || value === ''
    ? '-'
    : Array.isArray(value)
      ? value.map(show).join(', ')
      : typeof value === 'object'
        ? JSON.stringify(value)
        : String(value);

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
const actorText = (actor: { id: string; email?: string }) => actor.email ?? actor.id;

function CsrDetails({ pem }: { pem: string }) {
  const [csr, setCsr] = useState<DecodedCsr>();
  useEffect(() => {
    let current = true;
    decodeCsr(pem).then((decoded) => current && setCsr(decoded));
    return () => {
      current = false;
    };
  }, [pem]);
  if (!csr) return <Spinner />;
  if (!csr.parsed) return <StatusIndicator type="error">Unparsable certificate request: {csr.error}</StatusIndicator>;
  return (
    <KeyValuePairs
      columns={2}
      items={[
        { label: 'CSR subject', value: csr.subject || '-' },
        { label: 'Key', value: `${csr.keyAlgorithm}${csr.keySize ? ` ${csr.keySize} bits` : ''}${csr.curve ? ` (${csr.curve})` : ''}` },
        { label: 'Subject alternative names', value: csr.subjectAlternativeNames.length ? csr.subjectAlternativeNames.join(', ') : 'None' },
        { label: 'Signature algorithm', value: csr.signatureAlgorithm },
      ]}
    />
  );
}

function SubjectInformation({ request }: { request: ApprovalRequest }) {
  const certificate = request.kind.startsWith('certificate.');
  const { csr, ...rest } = request.subject;
  return (
    <Container header={<Header variant="h2">{certificate ? 'Certificate information' : 'Card information'}</Header>}>
      <SpaceBetween size="l">
        <KeyValuePairs
          columns={3}
          items={Object.entries(rest).map(([name, value]) => ({ label: SUBJECT_LABELS[name] ?? name, value: show(value) }))}
        />
        {typeof csr === 'string' ? (
          <SpaceBetween size="s">
            <Box variant="h3">Certificate request (PKCS#10)</Box>
            <CsrDetails pem={csr} />
          </SpaceBetween>
        ) : null}
      </SpaceBetween>
    </Container>
  );
}

function historyText(entry: HistoryEntry): string {
  const details = entry.details ?? {};
  const parts = Object.entries(details)
    .filter(([, value]) => value !== undefined && value !== null && value !== '')
    .map(([name, value]) => `${name}: ${show(value)}`);
  return parts.join('; ');
}

function History({ request }: { request: RequestWithHistory }) {
  const { api } = useSession();
  const [entries, setEntries] = useState<HistoryEntry[]>(request.history);
  const [cursor, setCursor] = useState<string | null | undefined>(request.historyNextCursor);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<unknown>();
  useEffect(() => {
    setEntries(request.history);
    setCursor(request.historyNextCursor);
  }, [request]);
  const more = async () => {
    if (!cursor) return;
    setLoading(true);
    try {
      const page = await api.getHistory(request.id, cursor);
      setEntries((known) => [...known, ...page.items]);
      setCursor(page.nextCursor);
      setError(undefined);
    } catch (failure) {
      setError(failure);
    } finally {
      setLoading(false);
    }
  };
  return (
    <Container
      header={
        <Header variant="h2" counter={`(${entries.length}${cursor ? '+' : ''})`}>
          History
        </Header>
      }
    >
      <SpaceBetween size="m">
        <ol className="history" aria-label="History, oldest first">
          {entries.map((entry, index) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: the history only grows at its end, so a position names one entry
            <li key={`${entry.at}-${index}`}>
              <Box variant="small">{formatTime(entry.at)}</Box>
              <div>
                <strong>{entry.type}</strong> by {actorText(entry.actor)}
              </div>
              {historyText(entry) ? <Box variant="small">{historyText(entry)}</Box> : null}
            </li>
          ))}
        </ol>
        {error ? <ErrorAlert error={error} /> : null}
        {cursor ? (
          <Button onClick={more} loading={loading}>
            Show older entries
          </Button>
        ) : null}
      </SpaceBetween>
    </Container>
  );
}

export function RequestPage() {
  const { id = '' } = useParams();
  const { api, who } = useSession();
  const navigate = useNavigate();
  const [request, setRequest] = useState<RequestWithHistory>();
  const [loadError, setLoadError] = useState<unknown>();
  const [flash, setFlash] = useState<FlashbarProps.MessageDefinition[]>([]);
  const [busy, setBusy] = useState<string>();
  const [rejecting, setRejecting] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const [reason, setReason] = useState('');
  const [reasonError, setReasonError] = useState<string>();

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

  /** Runs an action; a refusal shows the API's message, and the page shows the request as it is now. */
  const act = async (name: string, action: () => Promise<ApprovalRequest>, done: (request: ApprovalRequest) => string) => {
    setBusy(name);
    try {
      const updated = await action();
      say('success', done(updated));
      return true;
    } catch (error) {
      const status = error instanceof ApiError ? ` (${error.status})` : '';
      say('error', messageOf(error), `${name} refused${status}`);
      return false;
    } finally {
      setBusy(undefined);
      await load();
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

  const decider = mayDecide(request, who);
  const deleter = mayDelete(request, who);
  const awaited = awaitedApprovers(request);
  const rejectNow = async () => {
    if (!reason.trim()) {
      setReasonError('A reason is required to reject a request.');
      return;
    }
    const ok = await act(
      'Reject',
      () => api.decide(request.id, { decision: 'reject', reason: reason.trim() }),
      () => 'Request rejected.',
    );
    if (ok) {
      setRejecting(false);
      setReason('');
    }
  };

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
            {decider ? (
              <>
                <Button
                  onClick={() =>
                    act(
                      'Put on hold',
                      () => api.decide(request.id, { decision: 'hold' }),
                      () => 'Request put on hold. It stays pending.',
                    )
                  }
                  loading={busy === 'Put on hold'}
                  disabled={!!busy}
                >
                  Put on hold
                </Button>
                <Button
                  onClick={() => {
                    setReasonError(undefined);
                    setRejecting(true);
                  }}
                  disabled={!!busy}
                >
                  Reject
                </Button>
                <Button
                  variant="primary"
                  onClick={() =>
                    act(
                      'Approve',
                      () => api.decide(request.id, { decision: 'approve' }),
                      (r) =>
                        r.state === 'approved'
                          ? 'Request approved.'
                          : `Approval recorded (${r.approvals.length} of ${r.requiredApprovals}).`,
                    )
                  }
                  loading={busy === 'Approve'}
                  disabled={!!busy}
                >
                  Approve
                </Button>
              </>
            ) : null}
            {deleter ? (
              <Button onClick={() => setDeleting(true)} disabled={!!busy}>
                Delete request
              </Button>
            ) : null}
          </SpaceBetween>
        }
      >
        {kindLabel(request.kind)} {request.onHold ? <Badge color="severity-medium">On hold</Badge> : null}
      </Header>

      <Container header={<Header variant="h2">Request information</Header>}>
        <KeyValuePairs
          columns={3}
          items={pairs([
            {
              label: 'State',
              value: (
                <StatusIndicator type={STATE_INDICATOR[request.state] ?? 'info'}>
                  {STATE_LABELS[request.state] ?? request.state}
                </StatusIndicator>
              ),
            },
            { label: 'Kind', value: request.kind },
            { label: 'Profile', value: request.profileId },
            { label: 'Created', value: formatTime(request.createdAt) },
            { label: 'Updated', value: formatTime(request.updatedAt) },
            { label: 'Expires', value: formatTime(request.expiresAt) },
            { label: 'Justification', value: show(request.justification) },
            request.onHold && request.hold
              ? {
                  label: 'On hold',
                  value: `by ${actorText(request.hold.by)} at ${formatTime(request.hold.at)}${request.hold.comment ? `: ${request.hold.comment}` : ''}`,
                }
              : undefined,
            request.decision
              ? {
                  label: 'Decision',
                  value: `${request.decision.decision} by ${actorText(request.decision.by)} at ${formatTime(request.decision.at)}${request.decision.reason ? `, reason: ${request.decision.reason}` : ''}`,
                }
              : undefined,
          ])}
        />
      </Container>

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

      <Container header={<Header variant="h2">Approvals</Header>}>
        <KeyValuePairs
          columns={3}
          items={[
            { label: 'Approvals so far', value: `${request.approvals.length} of ${request.requiredApprovals} required` },
            {
              label: 'Approved by',
              value: request.approvals.length ? (
                <ul className="plain-list">
                  {request.approvals.map((approval) => (
                    <li key={`${approval.by.id}-${approval.at}`}>
                      {actorText(approval.by)} at {formatTime(approval.at)}
                      {approval.comment ? `: ${approval.comment}` : ''}
                    </li>
                  ))}
                </ul>
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

      <History request={request} />

      <Modal
        visible={rejecting}
        onDismiss={() => setRejecting(false)}
        header="Reject request"
        closeAriaLabel="Close"
        footer={
          <Box float="right">
            <SpaceBetween direction="horizontal" size="xs">
              <Button variant="link" onClick={() => setRejecting(false)}>
                Cancel
              </Button>
              <Button variant="primary" onClick={rejectNow} loading={busy === 'Reject'}>
                Reject request
              </Button>
            </SpaceBetween>
          </Box>
        }
      >
        <form
          onSubmit={(event) => {
            event.preventDefault();
            void rejectNow();
          }}
        >
          <Form>
            <FormField label="Reason" description="Required. The requester receives it by email." errorText={reasonError}>
              <Textarea
                value={reason}
                onChange={(event) => {
                  setReason(event.detail.value);
                  if (event.detail.value.trim()) setReasonError(undefined);
                }}
                ariaRequired
              />
            </FormField>
          </Form>
        </form>
      </Modal>

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
