/**
 * The data of the pure session core (session-core.ts): its state, the inputs it is stepped with
 * and the effects it asks the socket code to run.
 */
import type { DevInfo, Frame, SiteClock } from "../protocol/index.ts";
import type { HardwareIdentity } from "../store/terminal-identity.ts";
import type { BucketState, RateLimitOptions } from "./rate-limit.ts";

/** Consecutive undecodable frames after which a socket is closed. */
export const MAX_GARBAGE = 10;

/** Messages a terminal starts; a `cmd` frame with any other name may be an answer to our command. */
export const TERMINAL_MESSAGES = new Set(["reg", "sendlog", "senduser", "sendqrcode"]);

export const REFUSAL = {
  pending: "Waiting for approval on the server",
  blocked: "Blocked by the server administrator",
  storage: "Server storage unavailable, retrying",
  invalid: "Invalid registration",
  busy: "Server busy, retrying",
  identity: "Hardware differs from the approved terminal",
} as const;

export interface SessionConfig {
  clock: SiteClock;
  /** Absent: no per-socket message limit. */
  messageRate?: RateLimitOptions;
}

export interface SessionState {
  readonly config: SessionConfig;
  /** The registered serial number, null before a `reg` is accepted. */
  sn: string | null;
  /** The sn this socket first asked to register as: a socket speaks for one terminal only. */
  boundSn: string | null;
  /** The hardware identity this socket registered with. */
  identity: HardwareIdentity;
  devinfoKey: string;
  nosenduser: boolean;
  /** Consecutive unreadable frames. */
  garbage: number;
  closed: boolean;
  /** Why the server closed this socket, when it did. */
  closedBy: string | null;
  bucket: BucketState | null;
  /** In a run of frames over the rate (only its first is logged). */
  overRate: boolean;
  lastInbound: number;
  probeSentAt: number | null;
}

export type DecodedFrame = Extract<Frame, { ok: true }>;

/** The outcome of the `terminal-seen` commit a new registration waited for. */
export interface RegOutcome {
  ok: boolean;
  approval?: "approved" | "pending" | "blocked";
  pendingFull?: boolean;
  identityMismatch?: "refused" | "accepted";
  nosenduser?: boolean;
  /** 1 when the commit stored this sn for the first time. */
  inserted?: number;
}

export interface Registration {
  sn: string;
  identity: HardwareIdentity;
  devinfo: DevInfo | null;
  devinfoKey: string;
}

export type SessionInput =
  | { kind: "frame"; frame: Frame; bytes: number }
  /** The command engine did not take a frame offered as an answer (`offer-answer`). */
  | { kind: "unanswered"; frame: DecodedFrame; allowed: boolean }
  | { kind: "registered"; reg: Registration; outcome: RegOutcome; admitsNew: boolean; maxPending: number }
  /** An upload's commit finished. */
  | { kind: "uploaded"; name: "sendlog" | "senduser"; body: Record<string, unknown>; ok: boolean; door?: { access: 0 | 1; message: string } }
  /** Keep-alive sweep. */
  | { kind: "tick"; probeAfterMs: number; timeoutMs: number }
  /** The server closes the socket. */
  | { kind: "close"; code: number; reason: string }
  /** The socket closed (either side); `cause` is what the gateway saw. */
  | { kind: "socket-closed"; code: number; reason: string; cause?: string };

export type SessionEffect =
  | { type: "send"; message: object }
  | { type: "close-socket"; code: number; reason: string }
  /** Nothing more may go to this socket from the command engine. */
  | { type: "detach"; sn: string }
  | { type: "touch"; sn: string }
  | { type: "warn"; msg: string; fields: Record<string, unknown>; level: "warn" | "info" }
  | { type: "debug"; msg: string; fields: Record<string, unknown> }
  /** Keep-alive: many units ignore WebSocket pings, so the command engine probes with `gettime`. */
  | { type: "probe"; sn: string }
  | { type: "count-over-rate" }
  /** Hand the frame to the command engine; if it answers nothing there, step `unanswered`. */
  | { type: "offer-answer"; sn: string; frame: DecodedFrame; allowed: boolean }
  /** Commit `terminal-seen` for a new registration, then step `registered`. */
  | { type: "register"; reg: Registration }
  /** A heartbeat's changed devinfo, written without waiting. */
  | { type: "store-devinfo"; sn: string; cpusn: string | null; devinfo: DevInfo | null }
  /** Commit the upload (its own share of the writer queue), then step `uploaded`. */
  | { type: "upload"; name: "sendlog" | "senduser"; sn: string; body: Record<string, unknown>; raw: Record<string, unknown> }
  | { type: "qrcode"; sn: string; body: Record<string, unknown> }
  | { type: "new-terminal-charged"; sn: string }
  | { type: "mark-offline"; sn: string }
  | { type: "identity-mismatch"; sn: string; identity: HardwareIdentity; outcome: "refused" | "accepted" }
  | { type: "refused"; sn: string; approval: "pending" | "blocked" }
  /** Take the registry slot for `sn`, closing an older socket for it. */
  | { type: "claim"; sn: string }
  /** The `reg` was answered: tell the bus and the command engine. */
  | { type: "online"; sn: string; terminalTime: string | undefined }
  /** Give up the registry slot; only the live session marks the terminal offline. */
  | { type: "release"; sn: string; code: number; reason: string; why: string; by: "server" | "terminal" };

export interface Step {
  state: SessionState;
  effects: SessionEffect[];
}
