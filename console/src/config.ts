/**
 * The console's runtime settings, read from /console/config.json at start so that one build runs
 * locally and in the cloud: the API's URL, the OpenID provider and the console's client id.
 */
export interface ConsoleConfig {
  /** Base URL of the HTTP API; empty when the API is on the console's own origin. */
  apiUrl: string;
  /** The OpenID provider's issuer (Cognito: https://cognito-idp.<region>.amazonaws.com/<pool id>). */
  authority: string;
  /** Where the provider's discovery document is, when not at <authority>/.well-known/openid-configuration. */
  metadataUrl?: string;
  clientId: string;
  /** Defaults to <origin>/console/callback. */
  redirectUri?: string;
  /** Where Sign out comes back to after the provider ended its session; defaults to <origin>/console/signed-out. */
  postLogoutRedirectUri?: string;
  /**
   * The provider's end-session (logout) endpoint, when its discovery document does not name one
   * (Cognito's: https://<domain>/logout).
   */
  endSessionEndpoint?: string;
  /** Query parameters the end-session endpoint needs besides the standard ones (Cognito: client_id and logout_uri). */
  endSessionParams?: Record<string, string>;
  /** Defaults to "openid email profile". */
  scope?: string;
}

function isConfig(value: unknown): value is ConsoleConfig {
  const config = value as Partial<ConsoleConfig> | null;
  return !!config && typeof config.apiUrl === 'string' && typeof config.authority === 'string' && typeof config.clientId === 'string';
}

export async function loadConfig(): Promise<ConsoleConfig> {
  const response = await fetch(`${import.meta.env.BASE_URL}config.json`, { cache: 'no-store' });
  if (!response.ok) throw new Error(`config.json answered ${response.status}`);
  const config: unknown = await response.json();
  if (!isConfig(config)) throw new Error('config.json must have apiUrl, authority and clientId');
  return config;
}

export const basePath = import.meta.env.BASE_URL.replace(/\/$/, '');
