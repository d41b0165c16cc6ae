import '@cloudscape-design/global-styles/index.css';
import './styles.css';
import Alert from '@cloudscape-design/components/alert';
import { WebStorageStateStore } from 'oidc-client-ts';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { AuthProvider } from 'react-oidc-context';
import { BrowserRouter } from 'react-router';
import { App } from './App';
import { basePath, loadConfig } from './config';

const root = createRoot(document.getElementById('root') as HTMLElement);

loadConfig().then(
  (config) => {
    const origin = window.location.origin;
    root.render(
      <StrictMode>
        <AuthProvider
          authority={config.authority}
          metadataUrl={config.metadataUrl}
          client_id={config.clientId}
          redirect_uri={config.redirectUri ?? `${origin}${basePath}/callback`}
          post_logout_redirect_uri={config.postLogoutRedirectUri ?? `${origin}${basePath}/signed-out`}
          metadataSeed={config.endSessionEndpoint ? { end_session_endpoint: config.endSessionEndpoint } : undefined}
          scope={config.scope ?? 'openid email profile'}
          userStore={new WebStorageStateStore({ store: window.sessionStorage })}
          onSigninCallback={() => undefined}
        >
          <BrowserRouter basename={basePath}>
            <App config={config} />
          </BrowserRouter>
        </AuthProvider>
      </StrictMode>,
    );
  },
  (error: Error) => {
    root.render(
      <main style={{ padding: 20 }}>
        <Alert type="error" header="The console could not start">
          Its settings (config.json) could not be read: {error.message}
        </Alert>
      </main>,
    );
  },
);
