import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { defaultDeviceTopics, exampleTopic, hostFromHeader, mosquittoPubLine, roomFromDeviceName } from "./device-setup";

describe("roomFromDeviceName", () => {
  const cases: [string, string][] = [
    ["kitchen-sensor", "kitchen"],
    ["kitchen", "kitchen"],
    ["attic_plug-2", "attic"],
    ["living-room-thermometer", "living-room"],
    ["porch-sensor2", "porch"],
    ["Garage.ESP32", "Garage"],
    ["sensor", "sensor"],
    ["sensor-7", "sensor"],
    ["room-2", "room"],
  ];
  for (const [name, room] of cases) it(`${name} → ${room}`, () => assert.equal(roomFromDeviceName(name), room));
});

describe("device setup", () => {
  it("gives a device its room's topics by default, as the form's placeholder says", () => {
    assert.deepEqual(defaultDeviceTopics("kitchen-sensor"), ["home/kitchen/#"]);
  });

  it("makes an example topic the filter allows", () => {
    assert.equal(exampleTopic("home/kitchen/#"), "home/kitchen/temperature");
    assert.equal(exampleTopic("home/+/door"), "home/example/door");
    assert.equal(exampleTopic("tasmota/plug/#"), "tasmota/plug/temperature");
    assert.equal(exampleTopic("zigbee2mqtt/#"), "zigbee2mqtt/test");
    assert.equal(exampleTopic("home/attic/humidity"), "home/attic/humidity");
  });

  it("writes a mosquitto_pub line with this hub's address, quoted for the shell", () => {
    const line = mosquittoPubLine({ host: "hub.lan", port: 1883, tls: false }, { name: "kitchen-sensor", password: "a'b$c", topics: ["home/kitchen/#"] });
    assert.equal(line, `mosquitto_pub -h hub.lan -p 1883 -u 'kitchen-sensor' -P 'a'\\''b$c' -t 'home/kitchen/temperature' -m 21.5`);
    const tls = mosquittoPubLine({ host: "hub.lan", port: 8883, tls: true }, { name: "x", password: "p", topics: ["home/x/#"] });
    assert.match(tls, /-p 8883 --cafile hearth\.crt /);
  });

  it("takes the host the browser used, without its port", () => {
    assert.equal(hostFromHeader("hub.lan:3000"), "hub.lan");
    assert.equal(hostFromHeader("192.168.1.20"), "192.168.1.20");
    assert.equal(hostFromHeader("[fe80::1]:3000"), "fe80::1");
    assert.equal(hostFromHeader(null), "localhost");
  });
});
