import AppLayout from '@cloudscape-design/components/app-layout';
import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import SideNavigation from '@cloudscape-design/components/side-navigation';
import Spinner from '@cloudscape-design/components/spinner';
import TopNavigation from '@cloudscape-design/components/top-navigation';
import { type ReactNode, useEffect, useMemo, useRef, useState } from 'react';
import { useAuth } from 'react-oidc-context';
import { Navigate, Route, Routes, useLocation, useNavigate } from 'react-router';
import { isAsciiEmail } from '../../functions/domain/model';
import { createApi } from './api';
import { basePath, type ConsoleConfig } from './config';
import { DashboardPage } from './pages/DashboardPage';
import { NewRequestPage } from './pages/NewRequestPage';
import { OutOfOfficePage } from './pages/OutOfOfficePage';
import { ProfileEditPage } from './pages/ProfileEditPage';
import { ProfilesPage } from './pages/ProfilesPage';
import { RequestPage } from './pages/RequestPage';
import { RequestsPage } from './pages/RequestsPage';
import { TasksPage } from './pages/TasksPage';
import { type Identity, isAdmin, isApprover } from './permissions';
import { REFUSED_AFTER_SIGN_IN, reauthGuard } from './reauth';
import { SessionContext } from './session';

/** The signed-in user as the API reads the same claims (functions/commons/http.ts), so the rules answer alike. */
function identityOf(profile: Record<string, unknown>): Identity {
  const groups = profile['cognito:groups'];
  const email = typeof profile.email === 'string' ? profile.email : '';
  return {
    id: String(profile.sub ?? ''),
    // Lower-cased only when ASCII: a look-alike letter must not lower-case into a listed address.
    email: isAsciiEmail(email) ? email.toLowerCase() : email,
    emailVerified: profile.email_verified === true || profile.email_verified === 'true',
    groups: Array.isArray(groups) ? groups.map(String) : [],
  };
}

function Centered({ children }: { children: ReactNode }) {
  return (
    <main>
      <Box padding="xxl" textAlign="center">
        {children}
      </Box>
    </main>
  );
}

/** Signs in with the provider (authorization code with PKCE) and comes back to the page asked for. */
function SignIn({ reason }: { reason?: string }) {
  const auth = useAuth();
  const location = useLocation();
  const started = useRef(false);
  const returnTo = location.pathname === '/callback' ? '/requests' : `${location.pathname}${location.search}`;
  useEffect(() => {
    if (reason || started.current) return;
    started.current = true;
    void auth.signinRedirect({ state: returnTo });
  }, [auth, reason, returnTo]);
  return (
    <Centered>
      {reason ? (
        <>
          <h1>Approvals console</h1>
          <p>{reason}</p>
          <Button variant="primary" onClick={() => void auth.signinRedirect({ state: '/requests', prompt: 'login' })}>
            Sign in again
          </Button>
        </>
      ) : (
        <Spinner size="large" />
      )}
    </Centered>
  );
}

/**
 * Whether someone who is neither an approver nor an admin has work handed over to them (a delegate
 * out of the approvers group, while someone is out of office): they get the Tasks link only then.
 */
function useHandedOverTasks(api: ReturnType<typeof createApi>, who: Identity | undefined): boolean {
  const [handedOver, setHandedOver] = useState(false);
  const plain = who !== undefined && !isApprover(who) && !isAdmin(who);
  useEffect(() => {
    if (!plain) return;
    let live = true;
    api
      .tasks(1)
      .then((page) => live && setHandedOver(page.items.length > 0))
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [api, plain]);
  return handedOver;
}

export function App({ config }: { config: ConsoleConfig }) {
  const auth = useAuth();
  const navigate = useNavigate();
  const location = useLocation();
  const token = auth.user?.id_token;
  const authNow = useRef(auth);
  authNow.current = auth;
  // A 401 signs in again, but not again right after that sign-in (the API refuses fresh tokens: a loop).
  const [reauth] = useState(() => reauthGuard(window.sessionStorage));
  const [refused, setRefused] = useState(false);
  const api = useMemo(
    () =>
      createApi(
        config.apiUrl,
        () => token,
        () => {
          const next = reauth();
          if (next === 'refuse') setRefused(true);
          else if (next === 'redirect')
            void authNow.current.signinRedirect({ state: `${window.location.pathname.slice(basePath.length)}${window.location.search}` });
        },
      ),
    [config.apiUrl, token, reauth],
  );
  const [signedOut, setSignedOut] = useState(false);
  const who = useMemo(() => (auth.user ? identityOf(auth.user.profile as Record<string, unknown>) : undefined), [auth.user]);
  const handedOver = useHandedOverTasks(api, auth.isAuthenticated && !auth.user?.expired ? who : undefined);

  if (auth.isLoading) {
    return (
      <Centered>
        <Spinner size="large" />
      </Centered>
    );
  }
  if (signedOut) return <SignIn reason="You are signed out." />;
  if (refused) return <SignIn reason={REFUSED_AFTER_SIGN_IN} />;
  if (auth.error) return <SignIn reason={`Sign-in failed: ${auth.error.message}`} />;
  if (!auth.isAuthenticated || !auth.user || !who || auth.user.expired) {
    if (location.pathname === '/signed-out') return <SignIn reason="You are signed out." />;
    return <SignIn />;
  }
  if (location.pathname === '/signed-out') {
    // Signing out: the user is being removed.
    return (
      <Centered>
        <Spinner size="large" />
      </Centered>
    );
  }
  if (location.pathname === '/callback') {
    const target = typeof auth.user.state === 'string' && auth.user.state.startsWith('/') ? auth.user.state : '/requests';
    return <Navigate to={target} replace />;
  }

  const follow = (event: CustomEvent<{ href: string; external?: boolean }>) => {
    if (event.detail.external) return;
    event.preventDefault();
    navigate(event.detail.href.startsWith(basePath) ? event.detail.href.slice(basePath.length) : event.detail.href);
  };
  // Ends the provider's session too (RP-initiated logout), or the next person at this browser would be
  // signed in as this one without a form. The provider comes back to /signed-out.
  const signOut = () => {
    setSignedOut(true);
    navigate('/signed-out', { replace: true });
    auth.signoutRedirect({ extraQueryParams: config.endSessionParams }).catch(() => auth.removeUser());
  };
  const section = `/${location.pathname.split('/')[1] ?? ''}`;

  return (
    <SessionContext.Provider value={{ api, who }}>
      <div id="top-nav" style={{ position: 'sticky', top: 0, zIndex: 1002 }}>
        <TopNavigation
          identity={{
            href: `${basePath}/requests`,
            title: 'Approvals console',
            onFollow: (event) => {
              event.preventDefault();
              navigate('/requests');
            },
          }}
          utilities={[
            {
              type: 'menu-dropdown',
              text: who.email || who.id,
              description: who.groups.length ? `Groups: ${who.groups.join(', ')}` : 'No groups',
              iconName: 'user-profile',
              items: [{ id: 'sign-out', text: 'Sign out' }],
              onItemClick: (event) => {
                if (event.detail.id === 'sign-out') signOut();
              },
            },
          ]}
        />
      </div>
      <AppLayout
        headerSelector="#top-nav"
        toolsHide
        ariaLabels={{
          navigation: 'Side navigation',
          navigationClose: 'Close side navigation',
          navigationToggle: 'Open side navigation',
          notifications: 'Notifications',
        }}
        navigation={
          <SideNavigation
            header={{ href: `${basePath}/requests`, text: 'Approvals' }}
            activeHref={`${basePath}${section}`}
            onFollow={follow}
            items={[
              { type: 'link', text: 'Requests', href: `${basePath}/requests` },
              // For approvers and admins, and for a delegate outside the approvers group with work handed over.
              ...(isApprover(who) || isAdmin(who) || handedOver
                ? [{ type: 'link' as const, text: 'What do you want to do', href: `${basePath}/tasks` }]
                : []),
              { type: 'link', text: 'Profiles', href: `${basePath}/profiles` },
              ...(isApprover(who) || isAdmin(who) ? [{ type: 'link' as const, text: 'Dashboard', href: `${basePath}/dashboard` }] : []),
              ...(isApprover(who) ? [{ type: 'link' as const, text: 'Out of office', href: `${basePath}/out-of-office` }] : []),
            ]}
          />
        }
        content={
          <Routes>
            <Route path="/" element={<Navigate to="/requests" replace />} />
            <Route path="/requests" element={<RequestsPage />} />
            <Route path="/requests/new" element={<NewRequestPage />} />
            <Route path="/requests/:id" element={<RequestPage />} />
            <Route path="/tasks" element={<TasksPage />} />
            <Route path="/dashboard" element={<DashboardPage />} />
            <Route path="/profiles" element={<ProfilesPage />} />
            <Route path="/out-of-office" element={<OutOfOfficePage />} />
            <Route path="/profiles/new" element={<ProfileEditPage />} />
            <Route path="/profiles/:id/edit" element={<ProfileEditPage />} />
            <Route path="*" element={<Navigate to="/requests" replace />} />
          </Routes>
        }
      />
    </SessionContext.Provider>
  );
}
