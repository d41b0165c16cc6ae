import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import DatePicker from '@cloudscape-design/components/date-picker';
import Header from '@cloudscape-design/components/header';
import Input from '@cloudscape-design/components/input';
import Select, { type SelectProps } from '@cloudscape-design/components/select';
import SpaceBetween from '@cloudscape-design/components/space-between';
import { useEffect, useState } from 'react';
import { useNavigate, useSearchParams } from 'react-router';
import { KINDS } from '../../../functions/domain/kinds';
import { STATES } from '../../../functions/domain/model';
import type { Kind, Profile, SearchFilters, State } from '../api';
import { basePath } from '../config';
import { ErrorAlert } from '../errors';
import { kindLabel, STATE_LABELS } from '../format';
import { useCursorPages } from '../paging';
import { dayRange } from '../time';
import { isAdmin, isApprover } from '../permissions';
import { RequestTable } from '../RequestTable';
import { useSession } from '../session';
import { ExportDialog } from './requests/ExportDialog';

const ANY: SelectProps.Option = { value: '', label: 'Any' };
const stateOptions: SelectProps.Option[] = [ANY, ...STATES.map((state) => ({ value: state, label: STATE_LABELS[state] ?? state }))];
const kindOptions: SelectProps.Option[] = [ANY, ...KINDS.map((kind) => ({ value: kind, label: kindLabel(kind), description: kind }))];
/** The calendar's labels (the console has no Cloudscape message bundle). */
const calendarStrings = { todayAriaLabel: 'Today', nextMonthAriaLabel: 'Next month', previousMonthAriaLabel: 'Previous month' };

const selected = (options: SelectProps.Option[], value: string | null) => options.find((option) => option.value === (value ?? '')) ?? ANY;

/** Profiles for the profile filter; a free-text field while the API cannot list them. */
function useProfileOptions(): SelectProps.Option[] | undefined {
  const { api } = useSession();
  const [options, setOptions] = useState<SelectProps.Option[]>();
  useEffect(() => {
    api.listProfiles(100).then(
      (page) =>
        setOptions([ANY, ...page.items.map((profile: Profile) => ({ value: profile.id, label: profile.name, description: profile.id }))]),
      () => setOptions(undefined),
    );
  }, [api]);
  return options;
}

/**
 * One end of the date range. What is typed stays in the field until it is a whole day (the
 * calendar's pick is one at once); only then, or when cleared, does the page's address change.
 */
function DayFilter({ label, day, onDay }: { label: string; day: string | null; onDay: (day: string | undefined) => void }) {
  const [text, setText] = useState(day ?? '');
  useEffect(() => setText(day ?? ''), [day]);
  return (
    <DatePicker
      ariaLabel={label}
      placeholder="YYYY/MM/DD"
      i18nStrings={{ ...calendarStrings, openCalendarAriaLabel: () => `Choose the day: ${label.toLowerCase()}` }}
      value={text}
      onChange={(event) => {
        const value = event.detail.value;
        setText(value);
        if (value === '' || /^\d{4}-\d{2}-\d{2}$/.test(value)) onDay(value || undefined);
      }}
    />
  );
}

export function RequestsPage() {
  const { api, who } = useSession();
  const [params, setParams] = useSearchParams();
  const filters: SearchFilters = {
    state: (params.get('state') || undefined) as State | undefined,
    kind: (params.get('kind') || undefined) as Kind | undefined,
    profileId: params.get('profileId') || undefined,
    find: params.get('find') || undefined,
    ...dayRange(params.get('from'), params.get('to')),
  };
  const key = JSON.stringify(filters);
  const pages = useCursorPages((cursor) => api.searchRequests(filters, 20, cursor), key);
  const profileOptions = useProfileOptions();
  // From the address as it is now, not as this render saw it: two filters changed before the page
  // renders again both stay. (react-router hands a functional update the render's parameters.)
  const setFilter = (name: keyof SearchFilters, value: string | undefined) =>
    setParams(
      () => {
        const next = new URLSearchParams(window.location.search);
        if (value) next.set(name, value);
        else next.delete(name);
        // A last day before the first cannot be asked for: the other end follows.
        const otherName = name === 'from' ? 'to' : name === 'to' ? 'from' : undefined;
        const other = otherName ? next.get(otherName) : null;
        if (otherName && value && other && (name === 'from' ? other < value : other > value)) next.set(otherName, value);
        return next;
      },
      { replace: true },
    );
  const everyone = isApprover(who) || isAdmin(who);
  const [exporting, setExporting] = useState(false);
  const navigate = useNavigate();
  const follow = (event: CustomEvent) => {
    event.preventDefault();
    navigate('/requests/new');
  };
  // What is typed becomes `find=` once typing pauses, so each keystroke is not a search.
  const [findText, setFindText] = useState(params.get('find') ?? '');
  const findParam = params.get('find') ?? '';
  useEffect(() => {
    if (findText.trim() === findParam) return;
    const timer = setTimeout(() => setFilter('find', findText.trim() || undefined), 400);
    return () => clearTimeout(timer);
  });

  return (
    <SpaceBetween size="m">
      {pages.error ? <ErrorAlert error={pages.error} /> : null}
      <RequestTable
        pages={pages}
        header={
          <Header
            variant="awsui-h1-sticky"
            description={everyone ? 'Every request, newest first.' : 'Your requests, newest first.'}
            actions={
              <SpaceBetween direction="horizontal" size="xs">
                {everyone ? <Button onClick={() => setExporting(true)}>Export</Button> : null}
                <Button variant="primary" href={`${basePath}/requests/new`} onFollow={follow}>
                  New request
                </Button>
              </SpaceBetween>
            }
          >
            Requests
          </Header>
        }
        filter={
          <SpaceBetween direction="horizontal" size="s">
            <Input
              type="search"
              ariaLabel="Find"
              clearAriaLabel="Clear find"
              placeholder="Id, holder, serial, CN, DNS name, email"
              value={findText}
              onChange={(event) => setFindText(event.detail.value)}
            />
            <Select
              inlineLabelText="State"
              selectedOption={selected(stateOptions, params.get('state'))}
              options={stateOptions}
              onChange={(event) => setFilter('state', event.detail.selectedOption.value)}
            />
            <Select
              inlineLabelText="Kind"
              selectedOption={selected(kindOptions, params.get('kind'))}
              options={kindOptions}
              onChange={(event) => setFilter('kind', event.detail.selectedOption.value)}
            />
            <SpaceBetween direction="horizontal" size="xs" alignItems="center">
              <Box variant="span" color="text-label" fontWeight="bold">
                Created
              </Box>
              <DayFilter label="Created from" day={params.get('from')} onDay={(day) => setFilter('from', day)} />
              <Box variant="span">to</Box>
              <DayFilter label="Created to" day={params.get('to')} onDay={(day) => setFilter('to', day)} />
            </SpaceBetween>
            {profileOptions ? (
              <Select
                inlineLabelText="Profile"
                selectedOption={selected(profileOptions, params.get('profileId'))}
                options={profileOptions}
                onChange={(event) => setFilter('profileId', event.detail.selectedOption.value)}
              />
            ) : (
              <Input
                type="search"
                ariaLabel="Profile"
                placeholder="Profile id"
                value={params.get('profileId') ?? ''}
                onChange={(event) => setFilter('profileId', event.detail.value.trim())}
              />
            )}
          </SpaceBetween>
        }
        empty={
          filters.find
            ? 'No request matches what you are looking for.'
            : filters.state || filters.kind || filters.profileId || filters.from || filters.to
              ? 'No requests match these filters.'
              : 'No requests yet.'
        }
      />
      <ExportDialog visible={exporting} filters={filters} onDismiss={() => setExporting(false)} />
    </SpaceBetween>
  );
}
