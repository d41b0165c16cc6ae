import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import Header from '@cloudscape-design/components/header';
import Link from '@cloudscape-design/components/link';
import SpaceBetween from '@cloudscape-design/components/space-between';
import Table from '@cloudscape-design/components/table';
import { useNavigate } from 'react-router';
import type { Profile } from '../api';
import { basePath } from '../config';
import { ErrorAlert } from '../errors';
import { formatDuration } from '../duration';
import { kindLabel } from '../format';
import { useCursorPages } from '../paging';
import { isAdmin } from '../permissions';
import { useSession } from '../session';
import { Breakable } from '../Breakable';
import { CursorPagination } from '../CursorPagination';
import { Time } from '../Time';

/** One item a line: long lists (kinds, email addresses) wrap between items, not inside them. */
function Lines({ items }: { items: string[] }) {
  return (
    <ul className="plain-list">
      {items.map((item) => (
        <li key={item}>
          <Breakable text={item} />
        </li>
      ))}
    </ul>
  );
}

export function ProfilesPage() {
  const { api, who } = useSession();
  const navigate = useNavigate();
  const pages = useCursorPages((cursor) => api.listProfiles(20, cursor), 'profiles');
  const admin = isAdmin(who);
  const edit = (profile: Profile) => `/profiles/${encodeURIComponent(profile.id)}/edit`;
  return (
    <SpaceBetween size="m">
      {pages.error ? <ErrorAlert error={pages.error} route="GET /profiles" /> : null}
      <Table<Profile>
        variant="full-page"
        wrapLines
        header={
          <Header
            variant="awsui-h1-sticky"
            description="Which kinds need approval, who approves, how many must, when to remind and when to give up."
            actions={
              admin ? (
                <Button variant="primary" onClick={() => navigate('/profiles/new')}>
                  Create profile
                </Button>
              ) : undefined
            }
          >
            Profiles
          </Header>
        }
        items={pages.items}
        loading={pages.loading}
        loadingText="Loading profiles"
        trackBy="id"
        empty={<Box textAlign="center">No profiles to show.</Box>}
        pagination={<CursorPagination pages={pages} />}
        columnDefinitions={[
          {
            id: 'id',
            header: 'ID',
            cell: (profile) =>
              admin ? (
                <Link
                  href={`${basePath}${edit(profile)}`}
                  onFollow={(event) => {
                    event.preventDefault();
                    navigate(edit(profile));
                  }}
                >
                  {profile.id}
                </Link>
              ) : (
                profile.id
              ),
          },
          { id: 'name', header: 'Name', cell: (profile) => profile.name },
          {
            id: 'kinds',
            header: 'Needs approval for',
            cell: (profile) =>
              profile.requireApprovalFor.length ? <Lines items={profile.requireApprovalFor.map(kindLabel)} /> : 'Nothing',
          },
          {
            id: 'approvers',
            header: 'Approvers',
            cell: (profile) => (
              <Lines
                items={
                  profile.stages
                    ? profile.stages.map((stage, index) => `${index + 1}. ${stage.name}: ${stage.approvers.join(', ')}`)
                    : (profile.approvers ?? [])
                }
              />
            ),
          },
          {
            id: 'required',
            header: 'Required',
            cell: (profile) =>
              profile.stages ? profile.stages.map((stage) => stage.requiredApprovals).join(' then ') : profile.requiredApprovals,
          },
          { id: 'remind', header: 'Remind after', cell: (profile) => formatDuration(profile.remindAfter) },
          { id: 'expire', header: 'Expire after', cell: (profile) => formatDuration(profile.expireAfter) },
          { id: 'updated', header: 'Updated', cell: (profile) => <Time iso={profile.updatedAt} /> },
        ]}
      />
    </SpaceBetween>
  );
}
