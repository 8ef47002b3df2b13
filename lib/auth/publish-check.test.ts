import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { checkUserPublish } from "./publish-check";

const none = () => false;

describe("checkUserPublish", () => {
  it("lets an operator command a switch, and nothing else", () => {
    assert.deepEqual(checkUserPublish("operator", "home/hall/lamp/set", none), { ok: true });
    assert.deepEqual(checkUserPublish("operator", "home/hall/temperature", none), { ok: false, code: "not-allowed" });
    assert.deepEqual(checkUserPublish("operator", "zigbee2mqtt/lamp/set", (t) => t === "zigbee2mqtt/lamp/set"), { ok: true });
  });
  it("refuses a viewer everything", () => {
    assert.deepEqual(checkUserPublish("viewer", "home/hall/lamp/set", none), { ok: false, code: "not-allowed" });
  });
  it("refuses a topic with wildcards before asking the rules", () => {
    assert.equal(checkUserPublish("admin", "home/+/lamp/set", none).ok, false);
    assert.equal((checkUserPublish("admin", "", none) as { code: string }).code, "bad-topic");
  });
});
