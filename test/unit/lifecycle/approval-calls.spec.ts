/**
 * The calls of a whole approval, per function invocation, as the scale model counts them
 * (bench/scale/calls.ts, docs/scale.md): run through the real use cases, the stream consumer (each
 * stored change of the request item that passes the mapping's filter) and the workflow's path in
 * statemachines/approval.asl.json, on the in-memory fakes.
 */
import { APPROVALS } from '../../../bench/scale/calls';
import { passesFilter, traceApproval } from '../../helpers/memory/approval-trace';
import { pendingRequest } from '../../helpers/memory/requests';

describe('the calls of one approval are the ones the scale model counts', () => {
  test.each(['plain', 'quorum'] as const)('%s: every invocation and its calls, and the states entered', async (scenario) => {
    const trace = await traceApproval(scenario);
    expect(trace.request.state).toBe('approved');
    expect(trace.invocations).toEqual(APPROVALS[scenario].invocations);
    expect(trace.states).toEqual(APPROVALS[scenario].states);
  });

  test('the filter: a new request and changes of a pending or approved one reach the consumer, later changes of an ended one do not', () => {
    const stored = (state: 'requested' | 'approved' | 'rejected') => ({ request: pendingRequest({ state }), rounds: {} });
    expect(passesFilter('insert', undefined, stored('requested'))).toBe(true);
    expect(passesFilter('modify', stored('requested'), stored('approved'))).toBe(true);
    expect(passesFilter('modify', stored('approved'), stored('approved'))).toBe(true);
    expect(passesFilter('modify', stored('rejected'), stored('rejected'))).toBe(false);
  });
});
