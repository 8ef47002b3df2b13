// The dashboard shows no tile for the codes OpenMQTTGateway passes on under home/ (a
// remote's button, lib/topics.ts isGatewayCode), as the hub records none of them.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { liveStoreHarness } from "./live-store-harness";

describe("live store: codes OpenMQTTGateway passes on", () => {
  it("make no tile and no room; a measuring module's value does", () => {
    const { store, deliver } = liveStoreHarness();
    deliver(
      ["home/OpenMQTTGateway/433toMQTT", { value: 1315156, protocol: 1, length: 24, delay: 317 }],
      ["home/OpenMQTTGateway/IRtoMQTT", { value: 875849879, protocol: 7, bits: 32 }],
      ["home/OpenMQTTGateway/SRFBtoMQTT", { raw: "2B660186042E00E7E5", value: "59365" }],
    );
    assert.equal(store.getTopic("home/OpenMQTTGateway/433toMQTT"), undefined);
    assert.deepEqual(store.getRooms(), []);
    deliver(["home/OpenMQTTGateway/ADCtoMQTT", { value: 543 }]);
    assert.equal(store.getTopic("home/OpenMQTTGateway/ADCtoMQTT")?.reading?.value, 543);
  });
});
