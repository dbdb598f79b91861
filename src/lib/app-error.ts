/**
 * The one error type of the server. Whatever fails, in a use case, the store or a parser, fails
 * with a stable `code` (snake_case, part of the API contract), the HTTP `status` it stands for and
 * a message a person can act on. Each front door turns it into its own form in one place: the API
 * (`http/app.ts`) into `{code, message}` with the status, the admin UI (`ui/app.ts`) into a flash
 * message, the CLI (`main.ts`) into one line and an exit status. A 500 is a fault of ours: its
 * message may name files or SQL, so the doors log it and show only that something went wrong.
 */
import type { z } from "zod";
import { type InputProblem, inputProblem } from "./input-problem.ts";

export type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 413 | 500 | 502 | 503;

export class AppError extends Error {
  override name = "AppError";
  readonly status: ErrorStatus;
  readonly code: string;
  /** A refused input's field and problem apart, so each door names the field its own way (the UI by its label). */
  readonly input: InputProblem | undefined;

  constructor(status: ErrorStatus, code: string, message: string, cause?: unknown, input?: InputProblem) {
    super(message, cause === undefined ? undefined : { cause });
    this.status = status;
    this.code = code;
    this.input = input;
  }

  /** Whether the message is for the caller (anything but a fault of ours). */
  get exposed(): boolean {
    return this.status !== 500;
  }
}

export const badRequest = (message: string) => new AppError(400, "bad_request", message);
/** A refused input (400 bad_request): "validTo: 2026-02-30 is not a date", the field as the input names it. */
export function invalidInput(error: z.ZodError, at?: string): AppError {
  const p = inputProblem(error, at);
  return new AppError(400, "bad_request", p.field === "" ? p.problem : `${p.field}: ${p.problem}`, undefined, p);
}
export const notFound = (message: string) => new AppError(404, "not_found", message);

/** `err` when it is an AppError with this code (for the few places that act on one failure). */
export function hasCode(err: unknown, code: string): err is AppError {
  return err instanceof AppError && err.code === code;
}
