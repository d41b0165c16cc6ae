/**
 * An approved request's receipt, decoded, with whether it verifies against the service's keys
 * (checked here in the browser with jose against GET /.well-known/jwks.json, as a CA checks it) and
 * covers this request's subject; and the execution report of the system that acted on it.
 */
import Container from '@cloudscape-design/components/container';
import Header from '@cloudscape-design/components/header';
import KeyValuePairs from '@cloudscape-design/components/key-value-pairs';
import StatusIndicator from '@cloudscape-design/components/status-indicator';
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, errors, type JSONWebKeySet, jwtVerify } from 'jose';
import { useEffect, useState } from 'react';
import { canonicalJson } from '../../../../functions/domain/canonical-json';
import type { ReceiptClaims } from '../../../../functions/domain/receipt-claims';
import { ApiError, type ApprovalRequest } from '../../api';
import { messageOf } from '../../errors';
import { actingText, actorText } from '../../format';
import { useSession } from '../../session';
import { Time } from '../../Time';
import { show } from './show';

type Check = 'verifies' | 'lapsed' | 'fails';
type Loaded =
  | { status: 'loading' }
  | { status: 'pending'; message: string }
  | { status: 'error'; message: string }
  | { status: 'loaded'; receipt: string; claims: ReceiptClaims; kid?: string; check: Check; coversSubject: boolean };

const base64url = (bytes: ArrayBuffer) =>
  btoa(String.fromCharCode(...new Uint8Array(bytes)))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');

/** base64url SHA-256 of the subject's RFC 8785 canonical JSON, as the receipt's subjectDigest. */
async function subjectDigest(subject: unknown): Promise<string> {
  return base64url(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(canonicalJson(subject))));
}

async function verify(receipt: string, keys: JSONWebKeySet, request: ApprovalRequest): Promise<Check> {
  try {
    await jwtVerify(receipt, createLocalJWKSet(keys), { subject: request.id, algorithms: ['ES256'] });
    return 'verifies';
  } catch (error) {
    // jose checks the signature before the claims: an expired receipt was signed by a listed key.
    return error instanceof errors.JWTExpired ? 'lapsed' : 'fails';
  }
}

const CHECK_TEXT: Record<Check, { type: 'success' | 'warning' | 'error'; text: string }> = {
  verifies: { type: 'success', text: "Verifies against the service's keys" },
  lapsed: { type: 'warning', text: "Verifies against the service's keys, but the approval has lapsed" },
  fails: { type: 'error', text: "Does not verify against the service's keys" },
};

export function ReceiptSection({ request }: { request: ApprovalRequest }) {
  const { api } = useSession();
  const [loaded, setLoaded] = useState<Loaded>({ status: 'loading' });
  useEffect(() => {
    let live = true;
    (async () => {
      try {
        const [{ receipt }, keys] = await Promise.all([api.getReceipt(request.id), api.receiptKeys()]);
        const claims = decodeJwt(receipt) as unknown as ReceiptClaims;
        const check = await verify(receipt, keys, request);
        const coversSubject = claims.subjectDigest === (await subjectDigest(request.subject));
        if (live) setLoaded({ status: 'loaded', receipt, claims, kid: decodeProtectedHeader(receipt).kid, check, coversSubject });
      } catch (error) {
        if (!live) return;
        if (error instanceof ApiError && error.status === 409) setLoaded({ status: 'pending', message: 'The receipt is being signed.' });
        else setLoaded({ status: 'error', message: messageOf(error) });
      }
    })();
    return () => {
      live = false;
    };
  }, [api, request]);

  return (
    <Container
      header={
        <Header variant="h2" description="The signed proof of this approval that the acting system verifies before it acts">
          Receipt
        </Header>
      }
    >
      {loaded.status === 'loading' ? (
        <StatusIndicator type="loading">Loading the receipt</StatusIndicator>
      ) : loaded.status === 'pending' ? (
        <StatusIndicator type="pending">{loaded.message}</StatusIndicator>
      ) : loaded.status === 'error' ? (
        <StatusIndicator type="error">{loaded.message}</StatusIndicator>
      ) : (
        <KeyValuePairs
          columns={3}
          items={[
            {
              label: 'Signature',
              value: <StatusIndicator type={CHECK_TEXT[loaded.check].type}>{CHECK_TEXT[loaded.check].text}</StatusIndicator>,
            },
            {
              label: 'Subject',
              value: loaded.coversSubject ? (
                <StatusIndicator type="success">Covers this request's subject</StatusIndicator>
              ) : (
                <StatusIndicator type="error">Does not cover this request's subject</StatusIndicator>
              ),
            },
            { label: 'Valid until', value: <Time iso={new Date(loaded.claims.exp * 1000).toISOString()} /> },
            { label: 'Approved', value: <Time iso={loaded.claims.approvedAt} /> },
            { label: 'Approvals', value: loaded.claims.approvals.map((approval) => actingText(approval)).join(', ') },
            { label: 'Issuer', value: loaded.claims.iss },
            { label: 'Key id', value: show(loaded.kid) },
            { label: 'Subject digest (SHA-256)', value: <code>{loaded.claims.subjectDigest}</code> },
            ...(loaded.claims.csrDigest ? [{ label: 'CSR digest (SHA-256)', value: <code>{loaded.claims.csrDigest}</code> }] : []),
          ]}
        />
      )}
    </Container>
  );
}

export function ExecutionReport({ request }: { request: ApprovalRequest }) {
  const report = request.execution;
  return (
    <Container header={<Header variant="h2">Execution report</Header>}>
      {report ? (
        <KeyValuePairs
          columns={3}
          items={[
            {
              label: 'Status',
              value:
                report.status === 'succeeded' ? (
                  <StatusIndicator type="success">Succeeded</StatusIndicator>
                ) : (
                  <StatusIndicator type="error">Failed</StatusIndicator>
                ),
            },
            { label: 'Reported', value: <Time iso={report.at} /> },
            { label: 'Reported by', value: actorText(report.by) },
            { label: 'Reference', value: show(report.reference) },
            {
              label: 'Details',
              value: show(
                typeof report.details === 'string' || report.details === undefined ? report.details : JSON.stringify(report.details),
              ),
            },
          ]}
        />
      ) : (
        <StatusIndicator type="pending">The acting system has not reported yet.</StatusIndicator>
      )}
    </Container>
  );
}
