// The database watch's pure core: what the dashboard says after each probe.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { nextStatus, type DatabaseStatus } from "./watch";

const checking: DatabaseStatus = { state: "checking", since: 0 };
const refused = { ok: false as const, code: "database-unreachable" as const, message: "ECONNREFUSED" };

describe("nextStatus", () => {
  it("is up from the first answer, and stays the same object while it answers", () => {
    const up = nextStatus(checking, { ok: true }, 10);
    assert.deepEqual(up, { state: "up", since: 10 });
    assert.equal(nextStatus(up, { ok: true }, 20), up);
  });

  it("is down since the first failed probe, however many follow and however they fail", () => {
    const up = nextStatus(checking, { ok: true }, 10);
    const down = nextStatus(up, refused, 30);
    assert.deepEqual(down, { state: "down", since: 30, code: "database-unreachable", message: "ECONNREFUSED" });
    assert.equal(nextStatus(down, refused, 40), down);
    const otherwise = nextStatus(down, { ok: false, code: "database-refused", message: "password authentication failed" }, 50);
    assert.deepEqual(otherwise, { state: "down", since: 30, code: "database-refused", message: "password authentication failed" });
    assert.deepEqual(nextStatus(otherwise, { ok: true }, 60), { state: "up", since: 60 });
  });

  it("is down from the start when the first probe fails", () => {
    assert.deepEqual(nextStatus(checking, refused, 5), { state: "down", since: 5, code: "database-unreachable", message: "ECONNREFUSED" });
  });
});
