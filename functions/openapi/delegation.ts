/** The OpenAPI details of `/me/delegation` (an approver's out-of-office delegation). */
import { delegationBodySchema, MAX_DELEGATION_DAYS } from '../domain/delegation';
import { errors, inputSchema, isoTime, json } from './schemas';

const view = {
  type: 'object',
  properties: {
    to: { type: 'string', format: 'email', description: "The delegate's verified email." },
    from: isoTime,
    until: isoTime,
    createdAt: isoTime,
    active: { type: 'boolean', description: 'In effect now (from ≤ now < until).' },
  },
  required: ['to', 'from', 'until', 'createdAt', 'active'],
};

export const DELEGATION_DETAILS = {
  putDelegation: {
    summary: "Set or replace the caller's out-of-office delegation (approvers)",
    description: `While it is active the delegate gets the caller's approval emails (with their own links) and may decide once for the caller where the caller may: the approval records \`by\` (the delegate) and \`for\` (the caller). \`to\` must be the verified email of an enabled user of the directory other than the caller; \`until\` after \`from\` (default now) and in the future, at most ${MAX_DELEGATION_DAYS} days after from; \`from\` at most 365 days ahead. 400 names the field.`,
    requestBody: { required: true, content: json(inputSchema(delegationBodySchema)) },
    responses: { 200: { description: 'The delegation', content: json(view) }, ...errors(400, 401, 403, 409) },
  },
  getDelegation: {
    summary: "The caller's delegation (approvers); 404 when none or ended",
    responses: { 200: { description: 'The delegation', content: json(view) }, ...errors(401, 403, 404) },
  },
  deleteDelegation: {
    summary: "Remove the caller's delegation (approvers)",
    responses: { 204: { description: 'Removed' }, ...errors(401, 403, 404) },
  },
};
