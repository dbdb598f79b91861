import { describe, expect, test } from "bun:test";
import { type ChangeReason, judgeTerminalChange, type KeypadEnrolment, type StoredPerson, type Verdict } from "../../src/people/terminal-change.ts";

const gus: StoredPerson = { name: "Gus", admin: 0 };
const boss: StoredPerson = { name: "Boss", admin: 2 };
const pin = (data: string, admin = 0, name?: string, enrollid = 7) => ({ enrollid, name, admin, backupnum: 10, data });
const finger = (data: string, admin = 0, name?: string, enrollid = 7) => ({ enrollid, name, admin, backupnum: 3, data });
const photo = (data: string) => ({ enrollid: 7, name: undefined, admin: 0, backupnum: 50, data });

describe("judgeTerminalChange: does a terminal's change escalate?", () => {
  test.each<[string, StoredPerson | null, string | null, ReturnType<typeof pin>, KeypadEnrolment, Verdict, ChangeReason[], boolean]>([
    // Changes to a person the site has: held whatever the setting.
    ["the issue's attack: admin 2 and a new PIN", gus, "1234", pin("9999", 2), "accept", "hold", ["admin-raised", "credential-replaced"], true],
    ["a raised admin level alone (the PIN resent)", gus, "1234", pin("1234", 1), "accept", "hold", ["admin-raised"], true],
    ["a replaced card", gus, "111", { enrollid: 7, name: undefined, admin: 0, backupnum: 11, data: "666" }, "accept", "hold", ["credential-replaced"], true],
    ["a replaced fingerprint template", gus, "tpl-a", finger("tpl-b"), "accept", "hold", ["credential-replaced"], true],
    ["a replaced PIN, keypad setting ignore", gus, "1234", pin("9999"), "ignore", "hold", ["credential-replaced"], true],
    ["a PIN added to a terminal admin", boss, null, pin("9999", 2), "accept", "hold", ["credential-added"], true],
    ["a fingerprint added to a terminal admin", boss, null, finger("tpl", 2), "accept", "hold", ["credential-added"], true],
    // Enrolments: the setting decides.
    ["a fingerprint in an empty slot, accept", gus, null, finger("tpl"), "accept", "apply", ["credential-added"], true],
    ["a fingerprint in an empty slot, hold", gus, null, finger("tpl"), "hold", "hold", ["credential-added"], true],
    ["a fingerprint in an empty slot, ignore", gus, null, finger("tpl"), "ignore", "ignore", ["credential-added"], true],
    ["a new person, accept", null, null, finger("tpl", 0, "Newcomer"), "accept", "apply", ["new-person"], true],
    ["a new person, hold", null, null, pin("2020"), "hold", "hold", ["new-person"], true],
    ["a new person, ignore", null, null, pin("2020"), "ignore", "ignore", ["new-person"], true],
    ["a new terminal admin, accept", null, null, pin("2020", 1), "accept", "hold", ["new-person", "admin-raised"], true],
    ["a new terminal admin, ignore", null, null, pin("2020", 2), "ignore", "ignore", ["new-person", "admin-raised"], true],
    ["an admin level raised with a credential in an empty slot, ignore", gus, null, pin("2020", 2), "ignore", "ignore", ["admin-raised", "credential-added"], true],
    // The enroll ids the terminals write on scans of nobody enrolled (PROTOCOL.md §7.5): never a new person.
    ["a new person as 99999998, accept", null, null, finger("tpl", 0, "Nobody", 99999998), "accept", "ignore", ["new-person", "reserved-enrollid"], true],
    ["a new terminal admin as 99999999, hold", null, null, pin("2020", 2, undefined, 99999999), "hold", "ignore", ["new-person", "admin-raised", "reserved-enrollid"], true],
    ["a person an older version stored as 99999999: judged as anyone", gus, null, finger("tpl", 0, undefined, 99999999), "accept", "apply", ["credential-added"], true],
    ["99999997 is a person's", null, null, pin("2020", 0, undefined, 99999997), "accept", "apply", ["new-person"], true],
    // Nothing escalates.
    ["a new name, the PIN resent", gus, "1234", pin("1234", 0, "Gustav"), "hold", "apply", [], true],
    ["a lowered admin level", boss, "1234", pin("1234", 0), "hold", "apply", [], true],
    ["a photo replaced", gus, "jpeg-a", photo("jpeg-b"), "hold", "apply", [], true],
    ["a photo added", gus, null, photo("jpeg-a"), "ignore", "apply", [], true],
    ["a resend of what is stored", gus, "1234", pin("1234", 0, "Gus"), "hold", "apply", [], false],
    ["a resend without a name", boss, "tpl", finger("tpl", 2), "ignore", "apply", [], false],
  ])("%s", (_what, person, stored, incoming, enrolment, verdict, reasons, changes) => {
    expect(judgeTerminalChange(person, stored, incoming, enrolment)).toEqual({ verdict, reasons, changes });
  });
});
