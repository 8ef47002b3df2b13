import assert from "node:assert/strict";
import { test } from "node:test";
import { en } from "./en";
import { ko } from "./ko";
import { createTranslator, pickLocale } from "./translate";

test("pickLocale: the cookie wins, then Accept-Language by weight, then English", () => {
  const cases: [string | undefined, string | undefined, string][] = [
    ["ko", "en-US,en;q=0.9", "ko"],
    ["en", "ko-KR", "en"],
    ["fr", "ko-KR,ko;q=0.9", "ko"],
    [undefined, "ko-KR,ko;q=0.9,en;q=0.8", "ko"],
    [undefined, "fr-FR,ko;q=0.5,en;q=0.9", "en"],
    [undefined, "fr-FR,de;q=0.5", "en"],
    [undefined, "en;q=0.1,ko;q=0.2", "ko"],
    [undefined, "ko;q=0", "en"],
    [undefined, "", "en"],
    [undefined, undefined, "en"],
  ];
  for (const [cookie, header, expected] of cases) {
    assert.equal(pickLocale(cookie, header), expected, `${cookie} / ${header}`);
  }
});

test("translator fills placeholders and keeps unknown ones", () => {
  assert.equal(createTranslator("en")("connection.attempt", { n: 3 }), "(attempt 3)");
  assert.equal(createTranslator("ko")("connection.attempt", { n: 3 }), "(3번째 시도)");
  assert.equal(createTranslator("en")("stale.asOf"), "As of {time}");
});

test("every Korean string keeps the English string's placeholders", () => {
  const names = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
  for (const key of Object.keys(en) as (keyof typeof en)[]) {
    assert.deepEqual(names(ko[key]), names(en[key]), key);
  }
});
