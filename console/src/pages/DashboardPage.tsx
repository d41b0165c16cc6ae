import BarChart from '@cloudscape-design/components/bar-chart';
import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import ColumnLayout from '@cloudscape-design/components/column-layout';
import Container from '@cloudscape-design/components/container';
import DatePicker from '@cloudscape-design/components/date-picker';
import ExpandableSection from '@cloudscape-design/components/expandable-section';
import FormField from '@cloudscape-design/components/form-field';
import Header from '@cloudscape-design/components/header';
import KeyValuePairs from '@cloudscape-design/components/key-value-pairs';
import PieChart from '@cloudscape-design/components/pie-chart';
import Select, { type SelectProps } from '@cloudscape-design/components/select';
import SpaceBetween from '@cloudscape-design/components/space-between';
import Table from '@cloudscape-design/components/table';
import { useEffect, useState } from 'react';
import type { StatsReport } from '../api';
import { ErrorAlert } from '../errors';
import { useSession } from '../session';

const STATE_LABELS = { requested: 'Pending', approved: 'Approved', rejected: 'Rejected', expired: 'Expired', deleted: 'Deleted' } as const;
const AGE_LABELS = {
  under1Day: 'Under 1 day',
  from1To3Days: '1 to 3 days',
  from3To7Days: '3 to 7 days',
  over7Days: 'Over 7 days',
} as const;
const ALL: SelectProps.Option = { value: '', label: 'All profiles' };

/** A time to decision as people read it: seconds, minutes, hours or days. */
export function formatSeconds(seconds: number | null): string {
  if (seconds === null) return 'No decisions yet';
  if (seconds < 90) return `${Math.round(seconds)} s`;
  if (seconds < 90 * 60) return `${Math.round(seconds / 60)} min`;
  if (seconds < 36 * 3600) return `${(seconds / 3600).toFixed(1)} h`;
  return `${(seconds / 86400).toFixed(1)} d`;
}

const chartStrings = (what: string) => ({
  filterLabel: `Filter ${what}`,
  filterPlaceholder: 'Filter data',
  legendAriaLabel: 'Legend',
  chartAriaRoleDescription: 'chart',
  xTickFormatter: undefined,
  detailsValue: 'Value',
  detailsPercentage: 'Percentage',
  segmentAriaRoleDescription: 'segment',
});

/** GET /stats as charts: requests by state, pending by age, decisions per day, time to decision. */
export function DashboardPage() {
  const { api } = useSession();
  const [profiles, setProfiles] = useState<SelectProps.Option[]>([ALL]);
  const [profile, setProfile] = useState<SelectProps.Option>(ALL);
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [stats, setStats] = useState<StatsReport>();
  const [error, setError] = useState<unknown>();
  const [loading, setLoading] = useState(true);
  const [generation, setGeneration] = useState(0);

  useEffect(() => {
    api.listProfiles(100).then(
      (page) => setProfiles([ALL, ...page.items.map((item) => ({ value: item.id, label: item.name, description: item.id }))]),
      () => setProfiles([ALL]),
    );
  }, [api]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: generation asks for a refresh
  useEffect(() => {
    let current = true;
    setLoading(true);
    setError(undefined);
    api.stats({ profileId: profile.value || undefined, from: from || undefined, to: to || undefined }).then(
      (answer) => {
        if (!current) return;
        setStats(answer);
        setLoading(false);
      },
      (failure) => {
        if (!current) return;
        setError(failure);
        setLoading(false);
      },
    );
    return () => {
      current = false;
    };
  }, [api, profile, from, to, generation]);

  const counts = stats
    ? (Object.keys(STATE_LABELS) as Array<keyof typeof STATE_LABELS>).map((state) => ({ state, value: stats.counts[state] }))
    : [];
  const created = counts.reduce((sum, { value }) => sum + value, 0);
  const ages = stats
    ? (Object.keys(AGE_LABELS) as Array<keyof typeof AGE_LABELS>).map((age) => ({ x: AGE_LABELS[age], y: stats.pendingByAge[age] }))
    : [];
  const days = stats?.decisionsPerDay ?? [];
  const range = stats ? `${stats.from} to ${stats.to}` : '';
  // Percentiles come from a histogram: say how close they are.
  const approximately = (seconds: number | null) =>
    seconds === null || !stats
      ? formatSeconds(seconds)
      : `${formatSeconds(seconds)} (± ${(stats.timeToDecision.relativeError * 100).toFixed(0)} %)`;

  return (
    <SpaceBetween size="l">
      <Header
        variant="h1"
        description="Requests created in the range by state, pending ones by age, decisions per day and time to decision."
        actions={<Button onClick={() => setGeneration((n) => n + 1)}>Refresh</Button>}
      >
        Dashboard
      </Header>
      <Container header={<Header variant="h2">Range</Header>}>
        <ColumnLayout columns={3}>
          <FormField label="Profile">
            <Select
              selectedOption={profile}
              options={profiles}
              onChange={(event) => setProfile(event.detail.selectedOption)}
              ariaLabel="Profile"
            />
          </FormField>
          <FormField label="From" description="First day (UTC); default 30 days back.">
            <DatePicker
              value={from}
              onChange={(event) => setFrom(event.detail.value)}
              placeholder="YYYY/MM/DD"
              openCalendarAriaLabel={(date) => `Choose the first day${date ? `, ${date}` : ''}`}
            />
          </FormField>
          <FormField label="To" description="Last day (UTC); default today.">
            <DatePicker
              value={to}
              onChange={(event) => setTo(event.detail.value)}
              placeholder="YYYY/MM/DD"
              openCalendarAriaLabel={(date) => `Choose the last day${date ? `, ${date}` : ''}`}
            />
          </FormField>
        </ColumnLayout>
      </Container>
      {error ? <ErrorAlert error={error} route="GET /stats" /> : null}
      {stats ? (
        <Container
          header={
            <Header variant="h2" description={range}>
              Summary
            </Header>
          }
        >
          <KeyValuePairs
            columns={4}
            items={[
              { label: 'Requests created', value: String(created) },
              { label: 'Pending now', value: String(stats.counts.requested) },
              { label: 'Time to decision, median', value: approximately(stats.timeToDecision.p50Seconds) },
              { label: 'Time to decision, 90th percentile', value: approximately(stats.timeToDecision.p90Seconds) },
            ]}
          />
        </Container>
      ) : null}
      <ColumnLayout columns={2}>
        <Container
          header={
            <Header variant="h2" description={`Requests created ${range}, by their state now`}>
              Requests by state
            </Header>
          }
        >
          <PieChart
            data={counts.filter(({ value }) => value > 0).map(({ state, value }) => ({ title: STATE_LABELS[state], value }))}
            statusType={loading ? 'loading' : error ? 'error' : 'finished'}
            ariaLabel="Requests by state"
            ariaDescription={counts.map(({ state, value }) => `${STATE_LABELS[state]}: ${value}`).join(', ')}
            detailPopoverContent={(datum, sum) => [
              { key: 'Requests', value: datum.value },
              { key: 'Share', value: `${((datum.value / sum) * 100).toFixed(0)} %` },
            ]}
            segmentDescription={(datum, sum) =>
              `${datum.value} ${datum.value === 1 ? 'request' : 'requests'}, ${((datum.value / sum) * 100).toFixed(0)} %`
            }
            i18nStrings={chartStrings('states')}
            hideFilter
            size="medium"
            variant="donut"
            innerMetricDescription="requests"
            innerMetricValue={String(created)}
            empty={<Box textAlign="center">No requests in this range</Box>}
            loadingText="Loading statistics"
            errorText="The statistics could not be loaded"
          />
        </Container>
        <Container
          header={
            <Header variant="h2" description="Pending requests created in the range, by age now">
              Pending by age
            </Header>
          }
        >
          <BarChart
            series={[{ title: 'Pending requests', type: 'bar', data: ages }]}
            xDomain={Object.values(AGE_LABELS) as string[]}
            xScaleType="categorical"
            xTitle="Age"
            yTitle="Requests"
            statusType={loading ? 'loading' : error ? 'error' : 'finished'}
            ariaLabel="Pending requests by age"
            ariaDescription={ages.map(({ x, y }) => `${x}: ${y}`).join(', ')}
            i18nStrings={chartStrings('ages')}
            hideFilter
            height={200}
            empty={<Box textAlign="center">Nothing pending</Box>}
            loadingText="Loading statistics"
            errorText="The statistics could not be loaded"
          />
        </Container>
      </ColumnLayout>
      <Container
        header={
          <Header variant="h2" description="Each approval, each rejection, each hold, by day (UTC)">
            Decisions per day
          </Header>
        }
      >
        <SpaceBetween size="m">
          <BarChart
            series={(['approve', 'reject', 'hold'] as const).map((kind) => ({
              title: { approve: 'Approvals', reject: 'Rejections', hold: 'Holds' }[kind],
              type: 'bar' as const,
              data: days.map((day) => ({ x: day.date, y: day[kind] })),
            }))}
            xDomain={days.map((day) => day.date)}
            xScaleType="categorical"
            xTickFormatter={(date) => date.slice(5)}
            stackedBars
            xTitle="Day"
            yTitle="Decisions"
            statusType={loading ? 'loading' : error ? 'error' : 'finished'}
            ariaLabel="Decisions per day"
            ariaDescription={`Approvals, rejections and holds on each day from ${range}; the table below lists them.`}
            i18nStrings={chartStrings('decisions')}
            hideFilter
            height={240}
            empty={<Box textAlign="center">No decisions in this range</Box>}
            loadingText="Loading statistics"
            errorText="The statistics could not be loaded"
          />
          <ExpandableSection headerText="Decisions per day as a table">
            <Table
              variant="embedded"
              items={days.filter((day) => day.approve + day.reject + day.hold > 0)}
              trackBy="date"
              empty={<Box textAlign="center">No decisions in this range</Box>}
              columnDefinitions={[
                { id: 'date', header: 'Day', cell: (day) => day.date, isRowHeader: true },
                { id: 'approve', header: 'Approvals', cell: (day) => day.approve },
                { id: 'reject', header: 'Rejections', cell: (day) => day.reject },
                { id: 'hold', header: 'Holds', cell: (day) => day.hold },
              ]}
            />
          </ExpandableSection>
        </SpaceBetween>
      </Container>
    </SpaceBetween>
  );
}
