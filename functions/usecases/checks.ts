/**
 * When the reconciler looks at a request (its `checkAt`, in the sparse index byDue) if the
 * workflow has not moved it on by then. Every step that moves a request on sets the next one;
 * the last step of the outcome removes it. docs/architecture.md: "Guarantees and the reconciler".
 */

const epoch = (iso: string) => Date.parse(iso);
export const plus = (iso: string, seconds: number) => new Date(epoch(iso) + seconds * 1000).toISOString();
export const earliest = (...times: string[]) => times.reduce((a, b) => (epoch(a) <= epoch(b) ? a : b));

/**
 * A pending wait is looked at this long after it should have ended, so an expiry is at most this
 * plus the reconciler's interval (1 minute in the cloud) plus its run late: under 10 minutes.
 */
export const CHECK_GRACE_SECONDS = 60;
/** A new request's first round (or its outcome, when it ended at once) is due within this. */
export const START_CHECK_SECONDS = 300;
/** A running execution that is late (backing off, retrying a callback) is looked at again after this. */
export const RUNNING_RECHECK_SECONDS = 900;
/** A claim on an approval email older than this was made by an attempt that is over (workflow steps run at most 30 s in Lambda). */
export const EMAIL_CLAIM_STALE_SECONDS = 60;

/**
 * When the reconciler looks at a request created now if no workflow round moves it on first: never
 * before the outbox is done trying to start its workflow (the stream's record age and the consumer's
 * run, registry.ts), even for an expiry that comes sooner, so the two never start it twice. A request
 * that expires first is expired then, within the 10 minutes past `expiresAt` the service promises.
 */
export function firstCheckAt(now: string): string {
  return plus(now, START_CHECK_SECONDS);
}

/** When the reconciler looks at a request that just ended if its outcome steps have not run by then. */
export function outcomeCheckAt(now: string): string {
  return plus(now, START_CHECK_SECONDS);
}

/** A repair that failed for something about the request is tried again after this, doubling per failure in a row… */
export const REPAIR_BACKOFF_SECONDS = 60;
/** …up to this. */
export const REPAIR_BACKOFF_CAP_SECONDS = 3600;

/**
 * When the reconciler tries a request again after its `failures`-th failed repair in a row: at its
 * next run when the failure was transient (Step Functions or DynamoDB throttling or down: every
 * request waits on the same recovery, and the oldest due go first), else later and later, doubling
 * from a minute up to an hour. Either way the check moves past the requests already due, so
 * repairs that keep failing never fill the run's batch before the others.
 */
export function repairRetryAt(now: string, failures: number, transient: boolean): string {
  if (transient) return now;
  return plus(now, Math.min(REPAIR_BACKOFF_SECONDS * 2 ** Math.max(0, failures - 1), REPAIR_BACKOFF_CAP_SECONDS));
}
