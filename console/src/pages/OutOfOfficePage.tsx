import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import ColumnLayout from '@cloudscape-design/components/column-layout';
import Container from '@cloudscape-design/components/container';
import DatePicker from '@cloudscape-design/components/date-picker';
import Form from '@cloudscape-design/components/form';
import FormField from '@cloudscape-design/components/form-field';
import Header from '@cloudscape-design/components/header';
import Input from '@cloudscape-design/components/input';
import SpaceBetween from '@cloudscape-design/components/space-between';
import Spinner from '@cloudscape-design/components/spinner';
import StatusIndicator from '@cloudscape-design/components/status-indicator';
import TimeInput from '@cloudscape-design/components/time-input';
import { useCallback, useEffect, useState } from 'react';
import { ApiError, type DelegationView } from '../api';
import { ErrorAlert, messageOf } from '../errors';
import { useSession } from '../session';
import { Time } from '../Time';
import { localUntil } from '../time';

const calendarStrings = { todayAriaLabel: 'Today', nextMonthAriaLabel: 'Next month', previousMonthAriaLabel: 'Previous month' };
type Field = 'to' | 'from' | 'until';

/** A date and a time in the viewer's time zone, as one field. */
function DateTimeField(props: {
  label: string;
  description: string;
  name: string;
  day: string;
  time: string;
  error?: string;
  onChange: (day: string, time: string) => void;
}) {
  return (
    <FormField label={props.label} description={props.description} errorText={props.error}>
      <SpaceBetween direction="horizontal" size="xs">
        <DatePicker
          ariaLabel={`${props.name} date`}
          placeholder="YYYY/MM/DD"
          i18nStrings={{ ...calendarStrings, openCalendarAriaLabel: () => `Choose the day: ${props.name.toLowerCase()}` }}
          value={props.day}
          invalid={!!props.error}
          onChange={(event) => props.onChange(event.detail.value, props.time)}
        />
        <TimeInput
          ariaLabel={`${props.name} time`}
          format="hh:mm"
          placeholder="hh:mm"
          value={props.time}
          invalid={!!props.error}
          onChange={(event) => props.onChange(props.day, event.detail.value)}
        />
      </SpaceBetween>
    </FormField>
  );
}

/** Out of office: the signed-in approver hands their decisions to a delegate for a time (PUT/GET/DELETE /me/delegation). */
export function OutOfOfficePage() {
  const { api } = useSession();
  const [current, setCurrent] = useState<DelegationView | null | undefined>(undefined);
  const [loadError, setLoadError] = useState<unknown>();
  const [to, setTo] = useState('');
  const [from, setFrom] = useState({ day: '', time: '' });
  const [until, setUntil] = useState({ day: '', time: '17:00' });
  const [errors, setErrors] = useState<Partial<Record<Field, string>>>({});
  const [formError, setFormError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const load = useCallback(async () => {
    try {
      setCurrent(await api.getDelegation());
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) setCurrent(null);
      else setLoadError(error);
    }
  }, [api]);
  useEffect(() => {
    void load();
  }, [load]);

  const save = async () => {
    const untilIso = localUntil(until.day, until.time);
    const fromIso = from.day ? localUntil(from.day, from.time || '00:00') : undefined;
    const local: Partial<Record<Field, string>> = {
      ...(to.trim() ? {} : { to: 'is required' }),
      ...(untilIso ? {} : { until: 'needs a date and a time' }),
      ...(from.day && !fromIso ? { from: 'is not a date and time' } : {}),
    };
    setErrors(local);
    setFormError(undefined);
    if (Object.keys(local).length > 0 || !untilIso) return;
    setBusy(true);
    try {
      setCurrent(await api.putDelegation({ to: to.trim(), until: untilIso, ...(fromIso ? { from: fromIso } : {}) }));
      setTo('');
    } catch (error) {
      const issues = error instanceof ApiError ? error.fieldIssues : [];
      const placed: Partial<Record<Field, string>> = {};
      for (const issue of issues) if (['to', 'from', 'until'].includes(issue.field)) placed[issue.field as Field] ??= issue.message;
      setErrors(placed);
      if (Object.keys(placed).length === 0) setFormError(messageOf(error));
    } finally {
      setBusy(false);
    }
  };

  const remove = async () => {
    setBusy(true);
    try {
      await api.deleteDelegation();
      setCurrent(null);
    } catch (error) {
      setFormError(messageOf(error));
    } finally {
      setBusy(false);
    }
  };

  return (
    <SpaceBetween size="m">
      <Header
        variant="h1"
        description="While you are away, a delegate gets your approval emails with their own links and may decide once for you, on the profiles that allow it."
      >
        Out of office
      </Header>
      {loadError ? <ErrorAlert error={loadError} route="GET /me/delegation" /> : null}
      <Container
        header={
          <Header
            variant="h2"
            actions={
              current ? (
                <Button onClick={() => void remove()} loading={busy}>
                  Remove delegation
                </Button>
              ) : undefined
            }
          >
            Your delegation
          </Header>
        }
      >
        {current === undefined ? (
          <Spinner />
        ) : current === null ? (
          <Box>You have no delegation: your approval emails come to you only.</Box>
        ) : (
          <ColumnLayout columns={4} variant="text-grid">
            <div>
              <Box variant="awsui-key-label">Delegate</Box>
              <div>{current.to}</div>
            </div>
            <div>
              <Box variant="awsui-key-label">From</Box>
              <Time iso={current.from} />
            </div>
            <div>
              <Box variant="awsui-key-label">Until</Box>
              <Time iso={current.until} />
            </div>
            <div>
              <Box variant="awsui-key-label">Status</Box>
              {current.active ? (
                <StatusIndicator type="success">Active</StatusIndicator>
              ) : (
                <StatusIndicator type="pending">Scheduled</StatusIndicator>
              )}
            </div>
          </ColumnLayout>
        )}
      </Container>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void save();
        }}
      >
        <Form
          errorText={formError}
          actions={
            <Button variant="primary" loading={busy}>
              {current ? 'Replace delegation' : 'Set delegation'}
            </Button>
          }
        >
          <Container header={<Header variant="h2">{current ? 'Replace it' : 'Hand over'}</Header>}>
            <SpaceBetween size="l">
              <FormField label="Delegate" description="The email of a colleague in the directory." errorText={errors.to}>
                <Input type="email" value={to} onChange={(event) => setTo(event.detail.value)} placeholder="name@example.com" />
              </FormField>
              <DateTimeField
                label="From"
                description="Optional, in your time zone; empty: now."
                name="From"
                day={from.day}
                time={from.time}
                error={errors.from}
                onChange={(day, time) => setFrom({ day, time })}
              />
              <DateTimeField
                label="Until"
                description="In your time zone; at most 90 days after From."
                name="Until"
                day={until.day}
                time={until.time}
                error={errors.until}
                onChange={(day, time) => setUntil({ day, time })}
              />
            </SpaceBetween>
          </Container>
        </Form>
      </form>
    </SpaceBetween>
  );
}
