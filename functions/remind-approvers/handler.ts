import { sesMailerOf, signingKeys } from '../approval-steps/adapters';
import { stepDeps } from '../approval-steps/deps';
import { apiDeps, directoryOf } from '../commons/deps';
import { errorBody, httpHandler, identityOf, json } from '../commons/http';
import { logApprovalRequest, logger } from '../commons/observability';
import { requestIdSchema } from '../domain/model';
import { parse } from '../domain/validation';
import { remindApprovers } from '../usecases/reminders';

const NAME = 'remindApprovers';
// The API's dependencies, with the workflow steps' way of emailing approvers (their links, SES).
const { send, links, approverEmail } = stepDeps(NAME, { directory: directoryOf, send: sesMailerOf, signingKeys });
const deps = { ...apiDeps(NAME, { directory: directoryOf }), send, links, approverEmail };

export const handler = httpHandler(async (event) => {
  const who = identityOf(event);
  const id = parse(requestIdSchema, event.pathParameters?.id, 'id');
  logApprovalRequest(id);
  const answer = await remindApprovers(deps, who, id);
  if (!answer.sent) {
    const message = `a reminder may go once per remindAfter after the last email: next at ${answer.nextAllowedAt}`;
    return json(429, errorBody('too_many_requests', message, { nextAllowedAt: answer.nextAllowedAt }), {
      'retry-after': String(answer.retryAfterSeconds),
    });
  }
  logger.info('requester reminder sent', { recipients: answer.recipients.length });
  return json(200, answer);
});
