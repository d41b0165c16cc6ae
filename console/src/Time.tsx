import { useEffect, useState } from 'react';
import type { ApprovalRequest } from './api';
import { actingText, endedVerb } from './format';
import { formatLocal, formatUtc, relativeTime } from './time';

/** The current time, renewed every minute, for texts such as "expires in 5 h". */
export function useNow(everyMs = 60_000): number {
  const [now, setNow] = useState(Date.now);
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}

/** A time in the viewer's own time zone; the UTC time, as the audit trail writes it, on hover. */
export function Time({ iso }: { iso: string | undefined }) {
  if (!iso) return <>-</>;
  return (
    <time dateTime={iso} title={formatUtc(iso)}>
      {formatLocal(iso)}
    </time>
  );
}

/** "in 5 h": how far a time is from now, renewed every minute; the local and UTC times on hover. */
export function FromNow({ iso }: { iso: string }) {
  const now = useNow();
  return (
    <time dateTime={iso} title={`${formatLocal(iso)} (${formatUtc(iso)})`}>
      {relativeTime(iso, now)}
    </time>
  );
}

/** "Expires in 5 h" while pending; "Decided <time> by <who>" once the request has ended. */
export function EndOf({ request }: { request: Pick<ApprovalRequest, 'state' | 'decision' | 'expiresAt'> }) {
  if (request.state === 'requested') {
    return (
      <span className="nowrap">
        Expires <FromNow iso={request.expiresAt} />
      </span>
    );
  }
  const decision = request.decision;
  if (!decision) return <>{endedVerb(request)}</>;
  return (
    <>
      {endedVerb(request)} <Time iso={decision.at} />
      {request.state === 'expired' ? null : <> by {actingText(decision)}</>}
    </>
  );
}
