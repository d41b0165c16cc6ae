import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import Container from '@cloudscape-design/components/container';
import Header from '@cloudscape-design/components/header';
import SpaceBetween from '@cloudscape-design/components/space-between';
import { useEffect, useState } from 'react';
import type { HistoryEntry, RequestWithHistory } from '../../api';
import { ErrorAlert } from '../../errors';
import { HISTORY_MORE_BUTTON, historyDetails, historyNote, historyWho } from '../../history';
import { useSession } from '../../session';
import { Time } from '../../Time';

/** The audit trail, oldest first; the newer entries past the first page load on demand from GET /requests/{id}/history. */
export function History({ request }: { request: RequestWithHistory }) {
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
        <Header variant="h2" counter={`(${entries.length}${cursor ? '+' : ''})`} description={historyNote(!!cursor)}>
          History
        </Header>
      }
    >
      <SpaceBetween size="m">
        <ol className="history" aria-label="History, oldest first">
          {entries.map((entry, index) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: the history only grows at its end, so a position names one entry
            <li key={`${entry.at}-${index}`}>
              <Box variant="small">
                <Time iso={entry.at} />
              </Box>
              <div>
                <strong>{entry.type}</strong> by {historyWho(entry)}
              </div>
              {historyDetails(entry) ? <Box variant="small">{historyDetails(entry)}</Box> : null}
            </li>
          ))}
        </ol>
        {error ? <ErrorAlert error={error} /> : null}
        {cursor ? (
          <Button onClick={more} loading={loading}>
            {HISTORY_MORE_BUTTON}
          </Button>
        ) : null}
      </SpaceBetween>
    </Container>
  );
}
