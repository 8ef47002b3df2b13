import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createBusMessage, readingOf } from "./bus-message";
import { NOT_JSON } from "./payload-json";

const T0 = Date.UTC(2026, 0, 1);
const message = (topic: string, payload: string) => createBusMessage({ topic, payload: Buffer.from(payload), retain: false, qos: 0, receivedAt: T0 });

describe("readingOf: what a message says as a reading, for every service alike", () => {
  const cases: [topic: string, payload: string, expected: string][] = [
    ["home/nursery/temperature", "21.5", "home/nursery/temperature nursery temperature 21.5 °C"],
    ["home/nursery/temperature", '{"value":22,"unit":"K","ts":1767225500}', "home/nursery/temperature nursery temperature 22 K @1767225500000"],
    ["home/nursery/temperature", "warm", "not-a-number"],
    ["home/nursery/temperature", "", "empty"],
    // A number anywhere else is kept under its own topic: a plain-numeric discovered sensor is this one row.
    ["livingroom-node/sensor/temperature/state", "20.25", "livingroom-node/sensor/temperature/state  state 20.25 "],
    ["tasmota/energy/power", "41", "tasmota/energy/power  power 41 W"],
    ["zigbee2mqtt/Greenhouse sensor", '{"temperature":23.4}', "bad-json"],
    ["home/attic/fan/state", "1", "null"],
    ["home/attic/fan/set", "1", "null"],
    ["home/attic/fan/availability", "online", "null"],
    ["hearth/alerts/frost/home~attic~temperature", '{"value":1}', "null"],
    ["$SYS/broker/uptime", "5", "null"],
    // Codes OpenMQTTGateway passes on (lib/topics.ts isGatewayCode): a remote's button, not a measurement.
    ["home/OpenMQTTGateway/433toMQTT", '{"value":1315156,"protocol":1,"length":24,"delay":317}', "null"],
    ["home/OpenMQTTGateway/433toMQTT", "1315156", "null"],
    ["home/OpenMQTTGateway/SRFBtoMQTT", '{"raw":"2B660186042E00E7E5","value":"59365","delay":"1111","val_Thigh":"390","val_Tlow":"1070"}', "null"],
    ["home/OpenMQTTGateway/IRtoMQTT", '{"value":875849879,"protocol":7,"protocol_name":"SAMSUNG","bits":32}', "null"],
    ["home/OpenMQTTGateway/SERIALtoMQTT", '{"value":"1"}', "null"],
    // A measuring module's value is one.
    ["home/OpenMQTTGateway/ADCtoMQTT", '{"value":543}', "home/OpenMQTTGateway/ADCtoMQTT OpenMQTTGateway ADCtoMQTT 543 "],
  ];
  for (const [topic, payload, expected] of cases) {
    it(`${topic} ${JSON.stringify(payload)}`, () => {
      const result = readingOf(topic, Buffer.from(payload), T0);
      const shown =
        result === null
          ? "null"
          : result.ok
            ? `${result.reading.topic} ${result.reading.room} ${result.reading.measurement} ${result.reading.value} ${result.reading.unit}${result.reading.ts === T0 ? "" : ` @${result.reading.ts}`}`
            : result.code;
      assert.equal(shown, expected);
    });
  }
});

describe("a BusMessage", () => {
  it("parses its reading once, and hands every reader the same result", () => {
    const m = message("home/nursery/temperature", "21.5");
    const first = m.reading;
    assert.equal(m.reading, first);
    assert.equal(m.reading, first);
    assert.equal(first?.ok && first.reading.value, 21.5);
  });

  it("parses its payload's JSON once, for its reading and anyone else, and says when it is not JSON", () => {
    const m = message("home/nursery/temperature", '{"value":22,"unit":"K"}');
    const parse = JSON.parse;
    let parses = 0;
    JSON.parse = ((text: string, reviver?: Parameters<typeof JSON.parse>[1]) => (parses++, parse(text, reviver))) as typeof JSON.parse;
    try {
      assert.equal(m.reading?.ok && m.reading.reading.value, 22);
      assert.deepEqual(m.json, { value: 22, unit: "K" });
      assert.equal(m.json, m.json);
    } finally {
      JSON.parse = parse;
    }
    assert.equal(parses, 1);
    assert.equal(message("x/y", "{nope").json, NOT_JSON);
  });

  it("decodes its payload from UTF-8 once, for its reading and its JSON alike", () => {
    const m = message("home/nursery/temperature", '{"value":22,"unit":"°C"}');
    const decode = TextDecoder.prototype.decode;
    let decodes = 0;
    TextDecoder.prototype.decode = function (this: TextDecoder, ...args: Parameters<TextDecoder["decode"]>) {
      decodes++;
      return decode.apply(this, args);
    };
    try {
      assert.equal(m.reading?.ok && m.reading.reading.unit, "°C");
      assert.deepEqual(m.json, { value: 22, unit: "°C" });
    } finally {
      TextDecoder.prototype.decode = decode;
    }
    assert.equal(decodes, 1);
    const bad = createBusMessage({ topic: "home/nursery/temperature", payload: Buffer.from([0x7b, 0xff, 0x7d]), retain: false, qos: 0, receivedAt: T0 });
    assert.equal(bad.reading?.ok === false && bad.reading.code, "not-utf8");
    assert.equal(bad.json, NOT_JSON);
  });
});
