/**
 * The escalation of a stage when its time has come (lifecycle): a workflow round applies it, then
 * emails the people it added.
 */
import type { ApprovalRequest } from '../domain/model';
import { isGroupEntry } from '../domain/stage-rules';
import { currentStageIndex, escalate, escalationGroups, type StagePeople } from '../domain/stages';
import { groupMembers, ownersOf } from '../usecases/people';
import type { Directory } from '../usecases/ports';
import { type ChangeDeps, changeRequest } from './change';

/**
 * Adds the current stage's `escalateTo` people (groups resolved in the directory now, the requester
 * and the holder left out) to its approvers, history `escalated`. Undefined when the escalation is
 * no longer due (the stage reached its quorum, the request ended, or it escalated already).
 */
export async function escalateStage(deps: ChangeDeps & { directory: Directory }, requestId: string): Promise<ApprovalRequest | undefined> {
  try {
    return await changeRequest<StagePeople>(
      deps,
      requestId,
      (request, now, people) => escalate(request, now, people ?? {}),
      async (request) => {
        const index = currentStageIndex(request);
        const addresses = (index === null ? [] : (request.stages?.[index]?.escalateTo ?? [])).filter((entry) => !isGroupEntry(entry));
        return {
          owners: await ownersOf(deps.directory, addresses),
          members: await groupMembers(deps.directory, escalationGroups(request)),
        };
      },
    );
  } catch (error) {
    if ((error as { code?: string }).code === 'conflict') return undefined;
    throw error;
  }
}
