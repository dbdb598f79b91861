import { describe, expect, test } from "bun:test";
import { scopeFor } from "../../src/http/middleware/token-scope.ts";

describe("scopeFor", () => {
  test.each([
    ["GET", "/attendance", undefined, "read"],
    ["HEAD", "/terminals", undefined, "read"],
    ["GET", "/people/7", undefined, "read"],
    ["GET", "/backup", undefined, "admin"],
    ["GET", "/webhooks", undefined, "admin"],
    ["GET", "/webhooks/3/dead-letters", undefined, "admin"],
    ["GET", "/hr-destinations", undefined, "admin"],
    ["GET", "/hr-destinations/3/dead-letters", undefined, "admin"],
    ["GET", "/tokens", undefined, "admin"],
    ["GET", "/people/7/credentials/10", undefined, "admin"],
    ["PUT", "/people/7/credentials/10", undefined, "admin"],
    ["GET", "/held-changes", undefined, "admin"],
    ["POST", "/held-changes/3/approve", undefined, "admin"],
    ["POST", "/terminals/A1/commands", "opendoor", "commands"],
    ["POST", "/terminals/A1/commands", undefined, "commands"],
    ["POST", "/terminals/A1/commands/", "reboot", "commands"],
    ["POST", "/terminals/A1/commands", "setuserinfo", "admin"],
    ["POST", "/terminals/A1/commands", "initsys", "admin"],
    ["POST", "/terminals/A1/fetch-logs", undefined, "commands"],
    ["POST", "/commands/5/cancel", undefined, "commands"],
    ["PUT", "/terminals/A1/commands", undefined, "admin"],
    ["POST", "/terminals/A1/approve", undefined, "admin"],
    ["POST", "/terminals/A1/replaced-hardware", undefined, "admin"],
    ["PATCH", "/terminals/A1", undefined, "admin"],
    ["POST", "/people", undefined, "admin"],
    ["DELETE", "/groups/1", undefined, "admin"],
    ["GET", "/access/schedules", undefined, "read"],
    ["GET", "/access/levels/2", undefined, "read"],
    ["GET", "/people/7/access", undefined, "read"],
    ["POST", "/access/schedules", undefined, "admin"],
    ["PATCH", "/access/levels/2", undefined, "admin"],
    ["PUT", "/people/7/access", undefined, "admin"],
    // Doors (issue 16): the board and a door's settings are read with read; changing or re-reading the settings needs admin.
    ["GET", "/doors", undefined, "read"],
    ["GET", "/terminals/D1/door-settings", undefined, "read"],
    ["PUT", "/terminals/D1/door-settings", undefined, "admin"],
    ["POST", "/terminals/D1/door-settings/read", undefined, "admin"],
    ["GET", "/presence", undefined, "read"],
    ["POST", "/people/7/qr-code", undefined, "admin"],
    ["DELETE", "/people/7/qr-code", undefined, "admin"],
    ["GET", "/access/passes", undefined, "admin"],
    ["GET", "/access/passes/3/qr.svg", undefined, "admin"],
    ["POST", "/access/passes/3/revoke", undefined, "admin"],
    ["POST", "/some/route/added/later", undefined, "admin"],
  ] as const)("%s %s (%s) needs %s", (method, path, command, scope) => {
    expect(scopeFor(method, path, command)).toBe(scope);
  });
});
