/**
 * The command engine's and people management's part of the store contract (`Store.commands`,
 * `Store.people`): the durable per-terminal command queue with its status history, jobs,
 * terminal groups, what each terminal holds, and clock checks. Plain, small methods so a
 * PostgreSQL implementation can follow the SQLite one line for line.
 */
import type { Page } from "./types.ts";
import type {
  CommandEventRow,
  CommandRow,
  CommandStatus,
  GroupRow,
  JobRow,
  JobStatus,
  TerminalClockRow,
} from "./commands-schema.ts";
import type { HeldChangeRow, PersonRow } from "./schema.ts";

export interface NewCommand {
  sn: string;
  command: string;
  /** Validated params (stored as JSON). */
  params: Record<string, unknown>;
  maxAttempts: number;
  deadline: number | null;
  actor: string;
  jobId: number | null;
  at: number;
}

export interface CommandChange {
  status: CommandStatus;
  at: number;
  /** One line for the status history. */
  detail?: string;
  attempts?: number;
  answer?: unknown;
  reason?: string | null;
}

/** The actor of the commands the server queues by itself (clock checks). */
export const SERVER_ACTOR = "system";

export interface CommandFilter {
  sn?: string;
  /** One command name (a terminal's last `getdevlock`; index commands_sn_command, migration 0021). */
  command?: string;
  jobId?: number;
  /**
   * Who queued it: "admin" a person or token by hand (no job, not the server's own actor);
   * "server" a job's fan-out (a pull's getuserinfo, a push's setuserinfo) or the server's own.
   */
  origin?: "admin" | "server";
  status?: CommandStatus[];
  cursor?: string;
  limit: number;
}

export interface NewJob {
  kind: string;
  target: string;
  params: unknown;
  actor: string;
  at: number;
}

export interface JobChange {
  status?: JobStatus;
  detail?: unknown;
  at: number;
}

export interface CommandStore {
  /** Queues the commands in one transaction, each with a "queued" history entry. */
  enqueue(commands: NewCommand[]): Promise<CommandRow[]>;
  get(id: number): Promise<CommandRow | null>;
  /** Newest first. */
  list(filter: CommandFilter): Promise<Page<CommandRow>>;
  /** The oldest queued urgent (door, destructive) command of a terminal, else its oldest queued one. */
  nextQueued(sn: string): Promise<CommandRow | null>;
  /**
   * Moves a command to a new status only if its status is one of `from` (so a cancel and a send
   * cannot both win), recording the change in its history. Null when it was not in `from`.
   */
  transition(id: number, from: CommandStatus[], change: CommandChange): Promise<CommandRow | null>;
  history(id: number): Promise<CommandEventRow[]>;
  /** Marks every queued command whose deadline is before `now` expired; returns them. */
  expireDue(now: number): Promise<CommandRow[]>;
  /** Commands per status, for one job. */
  countByStatus(jobId: number): Promise<Partial<Record<CommandStatus, number>>>;

  createJob(job: NewJob): Promise<JobRow>;
  getJob(id: number): Promise<JobRow | null>;
  listJobs(filter: { status?: JobStatus; cursor?: string; limit: number }): Promise<Page<JobRow>>;
  updateJob(id: number, change: JobChange): Promise<JobRow | null>;

  clockOf(sn: string): Promise<TerminalClockRow | null>;
  /** Every terminal's last clock measurement, or those of `sns` (one read for a list of terminals). */
  clocks(sns?: readonly string[]): Promise<TerminalClockRow[]>;
  /** The last measurements off by more than `seconds` either way (the clock alerts: a few, where every terminal is measured). */
  clocksOff(seconds: number): Promise<TerminalClockRow[]>;
}

export interface PersonInput {
  name: string;
  admin: number;
  enabled: boolean;
  validFrom: string | null;
  validTo: string | null;
  externalId: string | null;
}

export interface PersonFilter {
  /** Matches the name or external id (substring, case-insensitive) or the exact enrollid. */
  q?: string;
  /** Only the people holding this access level. */
  levelId?: number;
  cursor?: string;
  limit: number;
}

export interface Credential {
  enrollid: number;
  backupnum: number;
  data: string;
}

export interface Holdings {
  credentials: Array<{ enrollid: number; backupnum: number; digest: string }>;
  people: Array<{ enrollid: number; enabled: boolean }>;
}

export interface GroupWithMembers extends GroupRow {
  members: string[];
}

export interface PeopleStore {
  list(filter: PersonFilter): Promise<Page<PersonRow & { backupnums: number[] }>>;
  /** Every person (sync plans work on the whole site). */
  all(): Promise<PersonRow[]>;
  /** These people, those that exist (a page naming the people its rows mention, in one read). */
  some(enrollids: readonly number[]): Promise<PersonRow[]>;
  /** Creates or replaces the person's fields; credentials are untouched. */
  save(enrollid: number, person: PersonInput, at: number): Promise<PersonRow>;
  /** Removes the person and their credentials; false when there was none. */
  remove(enrollid: number): Promise<boolean>;
  /** Every credential, or those of the given people. */
  credentials(enrollids?: number[]): Promise<Credential[]>;
  setCredential(credential: Credential, sourceSn: string | null, at: number): Promise<void>;
  removeCredential(enrollid: number, backupnum: number): Promise<boolean>;

  /** What a terminal holds, as far as the server knows. */
  holdings(sn: string): Promise<Holdings>;
  /** Terminals holding anything of this person. */
  holdersOf(enrollid: number): Promise<string[]>;
  /** Which of this person's credentials each terminal holds, by terminal then backupnum (a name held alone, backupnum -1, is none). */
  heldCredentialsOf(enrollid: number): Promise<Array<{ sn: string; backupnum: number }>>;
  /** The terminal now holds this credential version (and so the person, enabled unless known otherwise). */
  hold(sn: string, credential: { enrollid: number; backupnum: number; digest: string }, at: number): Promise<void>;
  /** The terminal no longer holds these credentials (all of the person's with `backupnums` null). */
  release(sn: string, enrollid: number, backupnums: number[] | null): Promise<void>;
  setHeldEnabled(sn: string, enrollid: number, enabled: boolean, at: number): Promise<void>;
  /** The terminal was wiped (cleanuser, initsys). */
  releaseAll(sn: string): Promise<void>;
  /**
   * The terminal refused a push's names (`setusername` answered result:false): it takes no
   * name-only users, as long as it runs the firmware it ran now.
   */
  refuseNames(sn: string, at: number): Promise<void>;
  /** Terminals known not to take name-only users: those that refused names on the firmware they last registered with, by sn. */
  namesRefused(): Promise<string[]>;
  /** Forgets the terminal's refusal (an admin's "Ask again"); false when there was none. */
  forgetNameRefusal(sn: string): Promise<boolean>;

  listGroups(): Promise<GroupWithMembers[]>;
  getGroup(id: number): Promise<GroupWithMembers | null>;
  /** Null when the name is taken. */
  createGroup(name: string, sync: boolean, at: number): Promise<GroupWithMembers | null>;
  updateGroup(id: number, changes: { name?: string; sync?: boolean }, at: number): Promise<GroupWithMembers | null>;
  removeGroup(id: number): Promise<boolean>;
  /** True when the terminal was not yet a member. */
  addMember(id: number, sn: string, at: number): Promise<boolean>;
  removeMember(id: number, sn: string): Promise<boolean>;
  groupsOf(sn: string): Promise<GroupRow[]>;

  /** Person changes from terminals waiting for an admin, oldest first (store/held-changes.ts writes them). */
  heldChanges(filter: { cursor?: string; limit: number }): Promise<Page<HeldChangeRow>>;
  heldChange(id: number): Promise<HeldChangeRow | null>;
  countHeldChanges(): Promise<number>;
  /**
   * Applies a held change as the terminal sent it (person created or their admin level and name
   * set, the credential stored with the terminal as its source) and removes it, in one
   * transaction; null when there is no such held change (already decided).
   */
  approveHeldChange(id: number, at: number): Promise<HeldChangeRow | null>;
  /** Removes a held change without applying it; null when there is none. */
  rejectHeldChange(id: number): Promise<HeldChangeRow | null>;
}
