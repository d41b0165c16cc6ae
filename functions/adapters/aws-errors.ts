/**
 * Whether an AWS call failed for a passing reason (throttling, a service outage, the network)
 * rather than for something about the call itself: the SDK's own retries were used up, and the
 * same call may work later.
 */
/** Error names of AWS services and the SDK that say the same call may work later. */
export const TRANSIENT_ERRORS: ReadonlySet<string> = new Set([
  'ThrottlingException',
  'TooManyRequestsException',
  'LimitExceededException',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'InternalFailure',
  'InternalServerError',
  'TimeoutError',
]);

/** Node's network errors: nothing answered, or the connection broke. */
const NETWORK_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

export function isTransientAwsError(error: unknown): boolean {
  const candidate = error as { name?: string; code?: string; $retryable?: unknown; $metadata?: { httpStatusCode?: number } };
  return (
    TRANSIENT_ERRORS.has(candidate?.name ?? '') ||
    NETWORK_ERRORS.has(candidate?.code ?? '') ||
    candidate?.$retryable !== undefined ||
    (candidate?.$metadata?.httpStatusCode ?? 0) >= 500
  );
}
