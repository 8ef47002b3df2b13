// OpenMQTTGateway under its default base topic home/ passes on the codes its radio,
// infrared and serial modules receive (docs/use/rf.md: `home/OpenMQTTGateway/433toMQTT
// {"value":1315156,"protocol":1,"length":24,"delay":317}`). A remote's button is not a
// measurement: history keeps none of them, and nothing is warned about; a measuring
// module's value still is a reading. The recorder and registry wired as broker/hub.ts wires them.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { openSqliteHistory } from "../lib/history/sqlite-store";
import type { Logger } from "../lib/log";
import { startRecording } from "./recording";
import { startBusBroker } from "./test-bus-broker";

describe("codes OpenMQTTGateway passes on", { timeout: 10_000 }, () => {
  it("are not recorded as readings, nor warned about; a measuring module's value still is", async () => {
    const lines: string[] = [];
    const log: Logger = { debug() {}, info: (m) => void lines.push(`info ${m}`), warn: (m) => void lines.push(`warn ${m}`), error: (m) => void lines.push(`error ${m}`) };
    const broker = await startBusBroker({ now: () => 1_700_000_000_000 });
    const history = openSqliteHistory(":memory:");
    const { recorder, devices } = await startRecording(broker.bus, history, { recorder: { log }, devices: { config: [], log, summaryAfterMs: 0 } });
    try {
      const gateway = "home/OpenMQTTGateway";
      await broker.bus.publish(`${gateway}/433toMQTT`, '{"value":1315156,"protocol":1,"length":24,"delay":317}');
      await broker.bus.publish(`${gateway}/433toMQTT`, "1315156"); // the code it sent, acknowledged (gatewayRF.cpp)
      await broker.bus.publish(`${gateway}/SRFBtoMQTT`, '{"raw":"2B660186042E00E7E5","value":"59365","delay":"1111"}');
      await broker.bus.publish(`${gateway}/IRtoMQTT`, '{"value":875849879,"protocol":7,"bits":32}');
      await broker.bus.publish(`${gateway}/SERIALtoMQTT`, '{"value":"1"}');
      await broker.bus.publish(`${gateway}/ADCtoMQTT`, '{"value":543}');
      await recorder.flush();
      assert.deepEqual(await history.topics(), [{ topic: `${gateway}/ADCtoMQTT`, unit: "" }]);
      assert.deepEqual(recorder.stats(), { recorded: 1, unreadable: 0, pending: 0 });
      assert.deepEqual(lines.filter((l) => !l.includes("devices announced")), []);
    } finally {
      await devices.stop();
      await recorder.stop();
      await history.close();
      await broker.close();
    }
  });
});
