import { afterEach, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { ConfigError, DEFAULT_LIMITS, loadConfig } from "./config";

const dirs: string[] = [];
function dir(configFile?: unknown): string {
  const d = mkdtempSync(path.join(tmpdir(), "hearth-config-"));
  dirs.push(d);
  if (configFile !== undefined) {
    writeFileSync(path.join(d, "hearth.config.json"), typeof configFile === "string" ? configFile : JSON.stringify(configFile));
  }
  return d;
}
afterEach(() => {
  while (dirs.length) rmSync(dirs.pop()!, { recursive: true, force: true });
});

function expectConfigError(fn: () => unknown, pattern: RegExp) {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof ConfigError, "a ConfigError");
    assert.equal(error.code, "config-invalid");
    assert.match(error.message, pattern);
    return true;
  });
}

describe("loadConfig", () => {
  it("has sensible defaults", () => {
    const cwd = dir();
    assert.deepEqual(loadConfig({}, cwd), {
      // All interfaces, now that login guards the dashboard (anonymous MQTT stays loopback-only).
      host: "0.0.0.0",
      port: 3000,
      mqttPort: 1883,
      dataDir: path.join(cwd, "data"),
      simulator: { enabled: true, intervalMs: 5000 },
      history: { rawRetentionHours: 48 },
      auth: { admin: null, sessionHours: 720, anonymousMqtt: "loopback" },
      tls: null,
      mqttsPort: 8883,
      mqttPlain: true,
      limits: DEFAULT_LIMITS,
      dev: false,
      configFile: null,
    });
  });

  it("reads the environment", () => {
    const config = loadConfig(
      { PORT: "4000", MQTT_PORT: "11883", HOST: "0.0.0.0", HEARTH_SIMULATOR: "0", HEARTH_DATA_DIR: "/var/lib/hearth" },
      dir(),
    );
    assert.equal(config.port, 4000);
    assert.equal(config.mqttPort, 11883);
    assert.equal(config.host, "0.0.0.0");
    assert.equal(config.simulator.enabled, false);
    assert.equal(config.dataDir, "/var/lib/hearth");
  });

  it("treats empty variables as unset", () => {
    assert.equal(loadConfig({ PORT: "" }, dir()).port, 3000);
  });

  it("reads hearth.config.json, and the environment wins over it", () => {
    const cwd = dir({ port: 8080, mqttPort: 1884, simulator: { enabled: false } });
    const config = loadConfig({ PORT: "9090" }, cwd);
    assert.equal(config.port, 9090);
    assert.equal(config.mqttPort, 1884);
    assert.equal(config.simulator.enabled, false);
    assert.equal(config.configFile, path.join(cwd, "hearth.config.json"));
  });

  it("reads the accounts, TLS and broker-limit settings", () => {
    const cwd = dir({ auth: { anonymousMqtt: "off" }, limits: { maxConnections: 20 } });
    const config = loadConfig(
      {
        HEARTH_ADMIN_USER: "root",
        HEARTH_ADMIN_PASSWORD: "long enough",
        HEARTH_SESSION_HOURS: "12",
        HEARTH_TLS_CERT: "tls/a.crt",
        HEARTH_TLS_KEY: "tls/a.key",
        MQTTS_PORT: "18883",
        HEARTH_MQTT_PLAIN: "0",
        HEARTH_MQTT_MAX_PUBLISH_RATE: "5",
      },
      cwd,
    );
    assert.deepEqual(config.auth, { admin: { username: "root", password: "long enough" }, sessionHours: 12, anonymousMqtt: "off" });
    assert.deepEqual(config.tls, { certFile: path.join(cwd, "tls/a.crt"), keyFile: path.join(cwd, "tls/a.key") });
    assert.equal(config.mqttsPort, 18883);
    assert.equal(config.mqttPlain, false);
    assert.equal(config.limits.maxConnections, 20);
    assert.equal(config.limits.maxPublishesPerSecond, 5);
    assert.equal(config.limits.maxPacketBytes, DEFAULT_LIMITS.maxPacketBytes);
  });

  const bad: [label: string, env: Record<string, string>, file: unknown, pattern: RegExp][] = [
    ["a non-numeric port", { MQTT_PORT: "abc" }, undefined, /MQTT_PORT in the environment: must be a whole number \(got "abc"\)/],
    ["a port out of range", { PORT: "70000" }, undefined, /PORT in the environment/],
    ["a bad boolean", { HEARTH_SIMULATOR: "maybe" }, undefined, /HEARTH_SIMULATOR in the environment/],
    ["a bad host", { HOST: "my host" }, undefined, /HOST in the environment: must be a host name/],
    ["the same port twice", { PORT: "1883" }, undefined, /PORT and MQTT_PORT are both 1883/],
    ["a wrong type in the file", {}, { mqttPort: "1883" }, /mqttPort in .*hearth\.config\.json/],
    ["an unknown key in the file", {}, { mqtPort: 1883 }, /hearth\.config\.json: Unrecognized key.*mqtPort/],
    ["a nested bad value in the file", {}, { simulator: { intervalMs: 5 } }, /simulator\.intervalMs in .*hearth\.config\.json/],
    ["a file that is not JSON", {}, "{ port: 3000", /Cannot read the config file .*hearth\.config\.json/],
    ["an admin user without a password", { HEARTH_ADMIN_USER: "root" }, undefined, /HEARTH_ADMIN_PASSWORD in the environment: .*go together/],
    ["a short admin password", { HEARTH_ADMIN_USER: "root", HEARTH_ADMIN_PASSWORD: "short" }, undefined, /HEARTH_ADMIN_PASSWORD in the environment: must be at least 8/],
    ["a bad anonymous policy", { HEARTH_MQTT_ANONYMOUS: "lan" }, undefined, /HEARTH_MQTT_ANONYMOUS in the environment: must be loopback, all or off/],
    ["a certificate without its key", { HEARTH_TLS_CERT: "a.crt" }, undefined, /HEARTH_TLS_KEY in the environment/],
    ["plain MQTT off without TLS", { HEARTH_MQTT_PLAIN: "0" }, undefined, /HEARTH_MQTT_PLAIN=0 .*no TLS certificate/],
    ["MQTTS on the dashboard's port", { HEARTH_TLS_CERT: "a", HEARTH_TLS_KEY: "b", MQTTS_PORT: "3000" }, undefined, /PORT and MQTTS_PORT are both 3000/],
    ["a tiny packet limit", { HEARTH_MQTT_MAX_PACKET_BYTES: "10" }, undefined, /HEARTH_MQTT_MAX_PACKET_BYTES in the environment/],
    ["an unknown anonymous policy in the file", {}, { auth: { anonymousMqtt: "yes" } }, /auth\.anonymousMqtt in .*hearth\.config\.json/],
    ["HEARTH_CONFIG naming a missing file", { HEARTH_CONFIG: "nope.json" }, undefined, /HEARTH_CONFIG names .*nope\.json, which does not exist/],
  ];
  for (const [label, env, file, pattern] of bad) {
    it(`stops on ${label}, naming the setting`, () => expectConfigError(() => loadConfig(env, dir(file)), pattern));
  }
});
