/**
 * The whole table as the use cases' ApprovalStore: one object over the profile, request, history,
 * round bookkeeping, claim and search adapters, built once per process with the table's name.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ApprovalRequest, HistoryEntry } from '../../domain/model';
import type { Profile, ProfileBody } from '../../domain/profile';
import type { Change } from '../../domain/rules';
import type {
  ApprovalStore,
  BookkeepingOptions,
  CreateResult,
  HistoryPage,
  HistoryQuery,
  IdempotencyRecord,
  NewIdempotency,
  Page,
  RoundBookkeeping,
  SaveOptions,
  SearchPage,
  SearchQuery,
  StoredRequest,
} from '../../usecases/ports';
import type { Delegation } from '../../domain/delegation';
import { DynamoEmailClaims, DynamoReminderClaims } from './claims';
import { DynamoDelegations } from './delegations';
import { DynamoHistory } from './history';
import { DynamoRequesterReminders } from './requester-reminders';
import { DynamoProfileStore } from './profiles';
import { DynamoRequestStore } from './requests';
import { DynamoRoundBookkeeping } from './rounds';
import { DynamoSearch } from './search';
import { DynamoTasks } from './tasks';

export class Repository implements ApprovalStore {
  private readonly profiles: DynamoProfileStore;
  private readonly requests: DynamoRequestStore;
  private readonly history: DynamoHistory;
  private readonly rounds: DynamoRoundBookkeeping;
  private readonly searches: DynamoSearch;
  private readonly tasks: DynamoTasks;
  private readonly reminderClaims: DynamoReminderClaims;
  private readonly emailClaims: DynamoEmailClaims;
  private readonly requesterReminders: DynamoRequesterReminders;
  private readonly delegations: DynamoDelegations;

  constructor(db: DynamoDBDocumentClient, table: string) {
    this.profiles = new DynamoProfileStore(db, table);
    this.requests = new DynamoRequestStore(db, table);
    this.history = new DynamoHistory(db, table);
    this.rounds = new DynamoRoundBookkeeping(db, table);
    this.searches = new DynamoSearch(db, table);
    this.tasks = new DynamoTasks(db, table);
    this.reminderClaims = new DynamoReminderClaims(db, table);
    this.emailClaims = new DynamoEmailClaims(db, table);
    this.requesterReminders = new DynamoRequesterReminders(db, table);
    this.delegations = new DynamoDelegations(db, table);
  }

  getProfile(id: string): Promise<Profile | undefined> {
    return this.profiles.getProfile(id);
  }
  putProfile(id: string, body: ProfileBody, now: string): Promise<Profile> {
    return this.profiles.putProfile(id, body, now);
  }
  listProfiles(query: { limit: number; cursor?: string }): Promise<Page<Profile>> {
    return this.profiles.listProfiles(query);
  }
  createRequest(change: Change, idempotency?: NewIdempotency, checkAt?: string): Promise<CreateResult> {
    return this.requests.createRequest(change, idempotency, checkAt);
  }
  getIdempotency(sub: string, key: string): Promise<IdempotencyRecord | undefined> {
    return this.requests.getIdempotency(sub, key);
  }
  getRequest(id: string): Promise<StoredRequest | undefined> {
    return this.requests.getRequest(id);
  }
  getHistory(id: string, page: HistoryQuery): Promise<HistoryPage> {
    return this.history.getHistory(id, page);
  }
  getRequestWithHistory(id: string, page: { limit: number }): Promise<{ stored: StoredRequest; history: HistoryPage } | undefined> {
    return this.history.getRequestWithHistory(id, page);
  }
  saveChange(change: Change, previous: ApprovalRequest, checkAt?: string, options?: SaveOptions): Promise<'saved' | 'conflict'> {
    return this.requests.saveChange(change, previous, checkAt, options);
  }
  appendHistory(id: string, entry: HistoryEntry): Promise<void> {
    return this.history.appendHistory(id, entry);
  }
  setRoundBookkeeping(id: string, fields: RoundBookkeeping, options?: BookkeepingOptions): Promise<boolean> {
    return this.rounds.setRoundBookkeeping(id, fields, options);
  }
  claimClosingEmail(id: string, approver: string, now: string, staleBefore: string): Promise<boolean> {
    return this.emailClaims.claimClosingEmail(id, approver, now, staleBefore);
  }
  settleClosingEmail(id: string, approver: string, outcome: string | undefined): Promise<void> {
    return this.emailClaims.settleClosingEmail(id, approver, outcome);
  }
  claimApprovalEmail(id: string, approver: string, now: string, staleBefore: string, stage?: number): Promise<boolean> {
    return this.emailClaims.claimApprovalEmail(id, approver, now, staleBefore, stage);
  }
  settleApprovalEmail(id: string, approver: string, outcome: string | undefined): Promise<void> {
    return this.emailClaims.settleApprovalEmail(id, approver, outcome);
  }
  claimReminder(id: string, approver: string, reminder: number, stage?: number): Promise<boolean> {
    return this.reminderClaims.claimReminder(id, approver, reminder, stage);
  }
  claimRequesterReminder(id: string, now: string, notAfter: string): Promise<boolean> {
    return this.requesterReminders.claimRequesterReminder(id, now, notAfter);
  }
  dueRequests(now: string, limit: number): Promise<string[]> {
    return this.rounds.dueRequests(now, limit);
  }
  search(query: SearchQuery): Promise<SearchPage> {
    return this.searches.search(query);
  }
  tasksOf(approverEmail: string, query: { limit: number; cursor?: string }): Promise<SearchPage> {
    return this.tasks.tasksOf(approverEmail, query);
  }
  getDelegation(delegatorId: string): Promise<Delegation | undefined> {
    return this.delegations.getDelegation(delegatorId);
  }
  delegationsTo(delegateId: string): Promise<Delegation[]> {
    return this.delegations.delegationsTo(delegateId);
  }
  putDelegation(delegation: Delegation, previous: Delegation | undefined): Promise<'saved' | 'conflict'> {
    return this.delegations.putDelegation(delegation, previous);
  }
  deleteDelegation(delegation: Delegation): Promise<void> {
    return this.delegations.deleteDelegation(delegation);
  }
}
