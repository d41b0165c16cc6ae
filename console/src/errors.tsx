import Alert from '@cloudscape-design/components/alert';
import { ApiError, isMissingRoute } from './api';

export const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** An API failure as a page shows it; a missing list route says which route the API lacks. */
export function ErrorAlert({ error, route }: { error: unknown; route?: string }) {
  if (route && isMissingRoute(error)) {
    return (
      <Alert type="info" header="Not available yet">
        This page needs the API route <code>{route}</code>, which this API does not offer yet.
      </Alert>
    );
  }
  const header = error instanceof ApiError ? `The API refused (${error.status})` : 'Something went wrong';
  return (
    <Alert type="error" header={header}>
      {messageOf(error)}
    </Alert>
  );
}
