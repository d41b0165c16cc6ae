import { httpHandler, json } from '../commons/http';
import { openApiDocument } from './document';

/** GET /openapi.json: the API's OpenAPI 3.1 description. */
export const handler = httpHandler(async () => json(200, openApiDocument(), { 'cache-control': 'public, max-age=300' }));
