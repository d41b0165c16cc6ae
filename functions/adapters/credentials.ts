/**
 * The AWS credentials of every client: the environment's (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
 * AWS_SESSION_TOKEN), which Lambda sets for the function's role and the local stack sets for its
 * engines, so the code path is the same in both. The SDK's default chain (shared files, SSO,
 * web identity, container and instance metadata, with their STS and SSO clients) is never used:
 * the bundles alias it to this module (infra/bundling.ts), which keeps about 110 KB out of each.
 */
import { fromEnv } from '@aws-sdk/credential-provider-env';

/** The environment's credentials, read on first use (then kept by each client). */
export const environmentCredentials = fromEnv();

/**
 * What `@aws-sdk/credential-provider-node` exports to the clients, as the bundles see it: a client
 * built without `credentials` still reads the environment's.
 */
export const defaultProvider = (init?: Parameters<typeof fromEnv>[0]) => fromEnv(init);
