import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, it } from "node:test";
import { ConfigError, loadConfig } from "./config";
import { defaultClientId, shownUrl } from "./upstream-config";

const dirs: string[] = [];
function dir(configFile?: object): string {
  const d = mkdtempSync(path.join(tmpdir(), "hearth-upstream-config-"));
  dirs.push(d);
  if (configFile) writeFileSync(path.join(d, "hearth.config.json"), JSON.stringify(configFile));
  return d;
}
afterEach(() => {
  while (dirs.length) rmSync(dirs.pop()!, { recursive: true, force: true });
});

describe("upstream broker settings", () => {
  it("no HEARTH_MQTT_URL: the embedded broker, and the demo home on", () => {
    const config = loadConfig({}, dir());
    assert.equal(config.upstream, null);
    assert.equal(config.simulator.enabled, true);
  });

  it("HEARTH_MQTT_URL with its companions; the demo home off unless asked for", () => {
    const cwd = dir();
    const config = loadConfig(
      {
        HEARTH_MQTT_URL: "mqtts://broker.lan:8883, mqtts://broker2.lan:8883",
        HEARTH_MQTT_USERNAME: "hearth",
        HEARTH_MQTT_PASSWORD: "secret",
        HEARTH_MQTT_CA: "tls/ca.crt",
        HEARTH_MQTT_PROTOCOL: "3.1.1",
        HEARTH_MQTT_CLIENT_ID: "hearth-attic",
      },
      cwd,
    );
    assert.deepEqual(config.upstream, {
      urls: ["mqtts://broker.lan:8883", "mqtts://broker2.lan:8883"],
      username: "hearth",
      password: "secret",
      caFile: path.join(cwd, "tls/ca.crt"),
      certFile: null,
      keyFile: null,
      protocolVersion: 4,
      clientId: "hearth-attic",
    });
    assert.equal(config.simulator.enabled, false);
    assert.equal(loadConfig({ HEARTH_MQTT_URL: "mqtt://b", HEARTH_SIMULATOR: "1" }, cwd).simulator.enabled, true);
  });

  it("the config file's upstream section; the environment wins key by key", () => {
    const cwd = dir({ upstream: { urls: ["mqtt://a:1883", "mqtt://b:1883"], username: "file-user", protocolVersion: 5 } });
    const config = loadConfig({ HEARTH_MQTT_USERNAME: "env-user" }, cwd);
    assert.deepEqual(config.upstream?.urls, ["mqtt://a:1883", "mqtt://b:1883"]);
    assert.equal(config.upstream?.username, "env-user");
    assert.equal(config.upstream?.protocolVersion, 5);
    assert.equal(config.upstream?.clientId, defaultClientId());
  });

  it("the device ports need not be free or plain MQTT on: the hub listens for no device", () => {
    const config = loadConfig({ HEARTH_MQTT_URL: "mqtt://b", HEARTH_MQTT_PLAIN: "0", MQTT_PORT: "3000" }, dir());
    assert.equal(config.upstream?.urls[0], "mqtt://b");
  });

  for (const [env, named] of [
    [{ HEARTH_MQTT_URL: "http://broker.lan" }, /HEARTH_MQTT_URL.*mqtt:\/\/ or mqtts:\/\//],
    [{ HEARTH_MQTT_URL: "mqtt://b", HEARTH_MQTT_PROTOCOL: "3" }, /HEARTH_MQTT_PROTOCOL.*5 or 3\.1\.1/],
    [{ HEARTH_MQTT_URL: "mqtt://b", HEARTH_MQTT_CLIENT_ID: "has space" }, /HEARTH_MQTT_CLIENT_ID/],
    [{ HEARTH_MQTT_URL: "mqtt://b", HEARTH_MQTT_CERT: "c.pem" }, /HEARTH_MQTT_CERT and HEARTH_MQTT_KEY/],
  ] as const) {
    it(`refuses ${JSON.stringify(env)} naming the setting`, () => {
      assert.throws(() => loadConfig(env, dir()), (error: unknown) => error instanceof ConfigError && named.test(error.message));
    });
  }

  it("shows a URL without its credentials", () => {
    assert.equal(shownUrl("mqtts://hearth:secret@broker.lan:8883"), "mqtts://broker.lan:8883");
  });
});
