import { httpHandler, json } from '../commons/http';
import { openApiDocument } from './document';

/**
 * GET /openapi.json: the API's OpenAPI 3.1 description. Its `servers` is the origin the document was
 * asked on, which is the API's public URL: the custom domain or the execute-api domain in the cloud
 * (https, as API Gateway's X-Forwarded-Proto says), `http://127.0.0.1:$PORT` locally.
 */
export const handler = httpHandler(async (event) => {
  const proto = event.headers['x-forwarded-proto'] === 'http' ? 'http' : 'https';
  return json(200, openApiDocument(`${proto}://${event.requestContext.domainName}`), { 'cache-control': 'public, max-age=300' });
});
