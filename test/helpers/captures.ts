/**
 * Frames captured from real terminals (test/fixtures/frames/*.jsonl, one `{dir, note, frame}` a
 * line): `t2s` terminal→server frames the parser must accept, `s2t` answers the unit accepted.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";

export interface CapturedFrame {
  dir: "t2s" | "s2t";
  note: string;
  /** The frame exactly as sent. */
  frame: string;
}

const dir = join(import.meta.dir, "..", "fixtures", "frames");

export function loadCapture(name: string): CapturedFrame[] {
  return readFileSync(join(dir, name), "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as CapturedFrame);
}

export const TH900 = "th900-v5.jsonl";

/** The frame parsed, for tests that look inside it. */
export const parsed = (f: CapturedFrame) => JSON.parse(f.frame) as Record<string, unknown>;
