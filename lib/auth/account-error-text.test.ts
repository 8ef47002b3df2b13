import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createTranslator } from "../i18n/translate";
import { accountErrorText, storeSentence } from "./account-error-text";
import { AccountError } from "./account-store";

const en = createTranslator("en");
const ko = createTranslator("ko");
const device = { kind: "device" as const, name: "porch", minPasswordLength: 8 };
const user = { kind: "user" as const, name: "vera", minPasswordLength: 8 };

describe("accountErrorText", () => {
  // What the settings pages show, built from the error's code and details rather than its English message.
  const cases: [name: string, error: AccountError, subject: typeof device | typeof user, korean: string][] = [
    ["no topics", new AccountError("topic-invalid", "a device account needs at least one topic filter", { problem: "none" }), device,
      "기기 계정에는 토픽 필터가 하나 이상 있어야 합니다."],
    ["an invalid filter", new AccountError("topic-invalid", 'topic filter "home/a+": + must fill a whole level of a filter', {
      problem: "invalid", topic: "home/a+", check: { code: "plus-not-whole", reason: "+ must fill a whole level of a filter" },
    }), device, '토픽 필터 "home/a+": +는 필터의 한 단계 전체를 차지해야 합니다.'],
    ["a filter too broad", new AccountError("topic-invalid", 'topic filter "#" is too broad for one device; name its first level', {
      problem: "too-broad", topic: "#",
    }), device, '토픽 필터 "#"은(는) 기기 하나에 너무 넓습니다. 첫 단계를 지정하세요.'],
    ["no such device", new AccountError("not-found", 'there is no device "porch"'), device, '기기 "porch"이(가) 없습니다.'],
    ["no such user", new AccountError("not-found", 'there is no user "vera"'), user, '사용자 "vera"이(가) 없습니다.'],
  ];
  for (const [name, error, subject, korean] of cases) {
    it(name, () => {
      // The English matches the store's own message, which logs and the CLI print.
      assert.equal(accountErrorText(en, error, subject), storeSentence(error));
      assert.equal(accountErrorText(ko, error, subject), korean);
    });
  }
});
