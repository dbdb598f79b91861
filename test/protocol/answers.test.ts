import { expect, test } from "bun:test";
import { failure, gettimeCommand, qrcodeAnswer, regAccepted, regRefused, sendlogAnswer, senduserAnswer } from "../../src/protocol/answers.ts";

const T = "2026-01-05 08:00:00";

test("reg: accepted with cloudtime and nosenduser; refused with the text for the screen", () => {
  expect(regAccepted(T, false)).toEqual({ ret: "reg", result: true, cloudtime: T, nosenduser: false });
  expect(regAccepted(T, true)).toEqual({ ret: "reg", result: true, cloudtime: T, nosenduser: true });
  expect(regRefused("Waiting for approval")).toEqual({ ret: "reg", result: false, reason: "Waiting for approval" });
});

test("sendlog: count and logindex echoed exactly as received, whatever their type", () => {
  expect(sendlogAnswer(true, 2, 10, T)).toEqual({ ret: "sendlog", result: true, count: 2, logindex: 10, cloudtime: T, access: 1 });
  expect(sendlogAnswer(true, "2", "0", T)).toEqual({ ret: "sendlog", result: true, count: "2", logindex: "0", cloudtime: T, access: 1 });
  expect(sendlogAnswer(false, 2, 0, T)).toEqual({ ret: "sendlog", result: false, reason: 1, count: 2, logindex: 0 });
  // Absent stays absent on the wire.
  expect(JSON.stringify(sendlogAnswer(true, undefined, undefined, T))).toBe(`{"ret":"sendlog","result":true,"cloudtime":"${T}","access":1}`);
});

test("senduser, sendqrcode, failures and the gettime probe", () => {
  expect(senduserAnswer(true, T)).toEqual({ ret: "senduser", result: true, cloudtime: T });
  expect(senduserAnswer(false, T)).toEqual({ ret: "senduser", result: false, reason: 1 });
  expect(qrcodeAnswer(true, 7, "Ben", "Welcome Ben")).toEqual({ ret: "sendqrcode", result: true, access: 1, enrollid: 7, username: "Ben", message: "Welcome Ben" });
  expect(qrcodeAnswer(false, 0, "", "Unknown code")).toEqual({ ret: "sendqrcode", result: true, access: 0, enrollid: 0, username: "", message: "Unknown code" });
  expect(failure("sendlog")).toEqual({ ret: "sendlog", result: false, reason: 1 });
  expect(gettimeCommand()).toEqual({ cmd: "gettime" });
});
