import { readFileSync } from 'node:fs';
import { DELETED_ERROR, REPLAN_ERROR } from '../../../functions/adapters/step-functions';
import { EmailDeferred } from '../../../functions/usecases/closing-emails';
import { CallbackFailed } from '../../../functions/usecases/workflow-steps/deliver-callback';

// The ASL is JSON, so it names the functions' error types as strings; these must not drift apart.
const asl = JSON.parse(readFileSync('statemachines/approval.asl.json', 'utf8'));
const errorsOf = (state: string, field: 'Retry' | 'Catch') =>
  (asl.States[state][field] as Array<{ ErrorEquals: string[] }>).flatMap((rule) => rule.ErrorEquals);

test('a delete ends the wait: the wait catches the error the delete sends', () => {
  expect(errorsOf('Await decision', 'Catch')).toContain(DELETED_ERROR);
});

test('deferred approval emails are retried by the wait', () => {
  expect(errorsOf('Await decision', 'Retry')).toContain(new EmailDeferred('x').name);
});

test('a failed callback is retried', () => {
  const retried = errorsOf('Deliver callback', 'Retry');
  expect(retried.includes(new CallbackFailed('x').name) || retried.includes('States.ALL')).toBe(true);
});

test("a change of the request's hold ends the wait: the wait catches the error the outbox sends and plans again", () => {
  const rule = (asl.States['Await decision'].Catch as Array<{ ErrorEquals: string[]; Next: string }>).find((candidate) =>
    candidate.ErrorEquals.includes(REPLAN_ERROR),
  );
  expect(rule?.Next).toBe('Plan round');
});
