import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import DatePicker from '@cloudscape-design/components/date-picker';
import FormField from '@cloudscape-design/components/form-field';
import Modal from '@cloudscape-design/components/modal';
import RadioGroup from '@cloudscape-design/components/radio-group';
import SpaceBetween from '@cloudscape-design/components/space-between';
import StatusIndicator from '@cloudscape-design/components/status-indicator';
import { useEffect, useState } from 'react';
import type { ExportFilters, SearchFilters } from '../../api';
import { downloadText } from '../../download';
import { messageOf } from '../../errors';
import { useSession } from '../../session';
import { dayRange } from '../../time';

const calendarStrings = { todayAriaLabel: 'Today', nextMonthAriaLabel: 'Next month', previousMonthAriaLabel: 'Previous month' };
const TYPES = { csv: 'text/csv', jsonl: 'application/jsonl' } as const;
const today = () => {
  const now = new Date();
  return `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, '0')}-${String(now.getDate()).padStart(2, '0')}`;
};

/**
 * Export: the requests created in a range of whole days (the page's state and profile filters
 * apply), every page of `GET /requests/export` joined into one file the browser downloads.
 */
export function ExportDialog({ visible, filters, onDismiss }: { visible: boolean; filters: SearchFilters; onDismiss: () => void }) {
  const { api } = useSession();
  const [first, setFirst] = useState('');
  const [last, setLast] = useState('');
  const [format, setFormat] = useState<ExportFilters['format']>('csv');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [done, setDone] = useState<string>();
  useEffect(() => {
    if (!visible) return;
    setFirst(today());
    setLast(today());
    setError(undefined);
    setDone(undefined);
  }, [visible]);

  const download = async () => {
    const range = dayRange(first, last);
    if (!range.from || !range.to) {
      setError('Choose the first and the last day.');
      return;
    }
    if (range.to <= range.from) {
      setError('The last day cannot be before the first.');
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      const query: ExportFilters = { from: range.from, to: range.to, format, state: filters.state, profileId: filters.profileId };
      const parts: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await api.exportPage(query, cursor);
        parts.push(page.text);
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      const text = parts.join('');
      downloadText(`requests-${first}-to-${last}.${format}`, text, TYPES[format]);
      setDone(`Downloaded requests-${first}-to-${last}.${format}.`);
    } catch (failure) {
      setError(messageOf(failure));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      visible={visible}
      onDismiss={onDismiss}
      header="Export requests"
      closeAriaLabel="Close"
      footer={
        <Box float="right">
          <SpaceBetween direction="horizontal" size="xs">
            <Button variant="link" onClick={onDismiss}>
              Close
            </Button>
            <Button variant="primary" loading={busy} onClick={download}>
              Download
            </Button>
          </SpaceBetween>
        </Box>
      }
    >
      <SpaceBetween size="m">
        <Box>
          One row per request created in these days (in your time zone), newest first
          {filters.state || filters.profileId ? ', with the state and profile filters of the list' : ''}.
        </Box>
        <SpaceBetween direction="horizontal" size="m">
          <FormField label="First day">
            <DatePicker
              ariaLabel="First day"
              placeholder="YYYY/MM/DD"
              i18nStrings={{ ...calendarStrings, openCalendarAriaLabel: () => 'Choose the first day' }}
              value={first}
              onChange={(event) => setFirst(event.detail.value)}
            />
          </FormField>
          <FormField label="Last day">
            <DatePicker
              ariaLabel="Last day"
              placeholder="YYYY/MM/DD"
              i18nStrings={{ ...calendarStrings, openCalendarAriaLabel: () => 'Choose the last day' }}
              value={last}
              onChange={(event) => setLast(event.detail.value)}
            />
          </FormField>
        </SpaceBetween>
        <FormField label="Format">
          <RadioGroup
            ariaLabel="Format"
            value={format}
            onChange={(event) => setFormat(event.detail.value as ExportFilters['format'])}
            items={[
              { value: 'csv', label: 'CSV', description: 'For spreadsheets; cells that could run as formulas start with an apostrophe.' },
              { value: 'jsonl', label: 'JSON Lines', description: 'One JSON object per line, for programs.' },
            ]}
          />
        </FormField>
        <div role="status">
          {error ? <StatusIndicator type="error">{error}</StatusIndicator> : null}
          {done ? <StatusIndicator type="success">{done}</StatusIndicator> : null}
        </div>
      </SpaceBetween>
    </Modal>
  );
}
