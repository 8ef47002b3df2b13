import { afterEach, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import path from "node:path";
import { ConfigError, DEFAULT_HUB_LIMITS, defaultReaderThreads, loadConfig } from "./config";

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
      durability: "normal",
      webPriority: "idle",
      databaseUrl: null,
      simulator: { enabled: true, intervalMs: 5000 },
      history: { rawRetentionHours: 48, minuteRetentionDays: 31, hourRetentionDays: 1825, pruneIntervalMinutes: 60, readerThreads: defaultReaderThreads(availableParallelism()) },
      alerts: { rules: [] },
      devices: [],
      commandTimeoutMs: 5000,
      availabilityGraceMs: 10_000,
      auth: { admin: null, sessionHours: 720, anonymousMqtt: "loopback", anonymousWebSocket: false, anonymousTopics: { publish: ["#"], subscribe: ["#"] }, trustedProxies: ["loopback"], proxyHeader: "auto" },
      tls: null,
      upstream: null,
      mqttsPort: 8883,
      mqttPlain: true,
      limits: DEFAULT_HUB_LIMITS,
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

  it("reads history retention from the file and the environment", () => {
    const cwd = dir({ history: { rawRetentionHours: 12, minuteRetentionDays: 7, hourRetentionDays: 90, readerThreads: 3 } });
    assert.deepEqual(loadConfig({ HEARTH_HOUR_RETENTION_DAYS: "400", HEARTH_PRUNE_INTERVAL_MINUTES: "5" }, cwd).history, {
      rawRetentionHours: 12,
      minuteRetentionDays: 7,
      hourRetentionDays: 400,
      pruneIntervalMinutes: 5,
      readerThreads: 3,
    });
    assert.equal(loadConfig({ HEARTH_HISTORY_READER_THREADS: "0" }, cwd).history.readerThreads, 0);
  });

  it("sizes the history reader threads by the cores: one left for the broker, at most four, none on two cores", () => {
    assert.deepEqual([1, 2, 3, 4, 5, 8, 64].map(defaultReaderThreads), [0, 0, 2, 3, 4, 4, 4]);
  });

  it("reads alert rules to seed, with their defaults", () => {
    const rule = { id: "nursery-hot", name: "Nursery too hot", severity: "critical", kind: "threshold", filter: "home/nursery/temperature", direction: "above", threshold: 26, clear: 25 };
    const config = loadConfig({}, dir({ alerts: { rules: [rule] } }));
    assert.deepEqual(config.alerts.rules, [{ ...rule, enabled: true, forSeconds: 0, notifyIntervalSeconds: 300 }]);
  });

  const seed = { id: "hot", name: "Hot", severity: "warning", kind: "threshold", filter: "home/+/temperature", direction: "above", threshold: 26, clear: 25 };

  it("reads the devices section and the command timeout", () => {
    const devices = [
      { id: "living_room/lamp", name: "Reading lamp", icon: "💡" },
      { id: "garage_door", name: "Garage door", room: "garage", commandTopic: "garage/relay/1/set", payloadOn: "1", payloadOff: "0" },
    ];
    const config = loadConfig({ HEARTH_COMMAND_TIMEOUT_MS: "2500" }, dir({ devices, commandTimeoutMs: 8000 }));
    assert.deepEqual(config.devices, devices);
    assert.equal(config.commandTimeoutMs, 2500);
  });

  it("reads the accounts, TLS and broker-limit settings", () => {
    const cwd = dir({ auth: { anonymousMqtt: "off", trustedProxies: ["192.168.1.2"], proxyHeader: "x-forwarded-for" }, limits: { maxConnections: 20 } });
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
        HEARTH_MQTT_PUBLISH_BURST: "50",
        HEARTH_TRUSTED_PROXIES: "loopback, ::1",
        HEARTH_PROXY_HEADER: "forwarded",
        HEARTH_MQTT_ANONYMOUS_WEBSOCKET: "1",
      },
      cwd,
    );
    assert.deepEqual(config.auth, {
      admin: { username: "root", password: "long enough" },
      sessionHours: 12,
      anonymousMqtt: "off",
      anonymousWebSocket: true,
      anonymousTopics: { publish: ["#"], subscribe: ["#"] },
      trustedProxies: ["loopback", "::1"],
      proxyHeader: "forwarded",
    });
    assert.deepEqual(config.tls, { certFile: path.join(cwd, "tls/a.crt"), keyFile: path.join(cwd, "tls/a.key") });
    assert.equal(config.mqttsPort, 18883);
    assert.equal(config.mqttPlain, false);
    assert.equal(config.limits.maxConnections, 20);
    assert.equal(config.limits.maxPublishesPerSecond, 5);
    assert.equal(config.limits.publishBurst, 50);
    assert.equal(config.limits.maxPacketBytes, DEFAULT_HUB_LIMITS.maxPacketBytes);
  });

  it("reads a session's in-flight window and queue bound from the file, the environment over it", () => {
    const cwd = dir({ limits: { maxInflightMessages: 20, maxQueuedMessages: 5000 } });
    assert.deepEqual(
      [loadConfig({}, cwd).limits.maxInflightMessages, loadConfig({}, cwd).limits.maxQueuedMessages],
      [20, 5000],
    );
    const fromEnv = loadConfig({ HEARTH_MQTT_MAX_INFLIGHT: "100", HEARTH_MQTT_MAX_QUEUED: "200" }, cwd).limits;
    assert.deepEqual([fromEnv.maxInflightMessages, fromEnv.maxQueuedMessages], [100, 200]);
    assert.deepEqual([DEFAULT_HUB_LIMITS.maxInflightMessages, DEFAULT_HUB_LIMITS.maxQueuedMessages], [1000, 1000]);
  });

  it("reads the broker-wide bound on owed retained messages from the file, the environment over it", () => {
    const cwd = dir({ limits: { maxOwedRetained: 20_000 } });
    assert.equal(loadConfig({}, cwd).limits.maxOwedRetained, 20_000);
    assert.equal(loadConfig({ HEARTH_MQTT_MAX_OWED_RETAINED: "300" }, cwd).limits.maxOwedRetained, 300);
    assert.equal(DEFAULT_HUB_LIMITS.maxOwedRetained, 500_000);
    assert.throws(() => loadConfig({ HEARTH_MQTT_MAX_OWED_RETAINED: "0" }, cwd), /HEARTH_MQTT_MAX_OWED_RETAINED in the environment/);
  });

  it("reads the anonymous ACL from the file, and each half from the environment over it", () => {
    const cwd = dir({ auth: { anonymousTopics: { publish: ["home/+/+/state"], subscribe: ["home/+/+/set", "$SYS/#"] } } });
    assert.deepEqual(loadConfig({}, cwd).auth.anonymousTopics, { publish: ["home/+/+/state"], subscribe: ["home/+/+/set", "$SYS/#"] });
    const fromEnv = loadConfig({ HEARTH_MQTT_ANONYMOUS_PUBLISH: "sensors/#, zigbee2mqtt/Greenhouse sensor" }, cwd);
    assert.deepEqual(fromEnv.auth.anonymousTopics, { publish: ["sensors/#", "zigbee2mqtt/Greenhouse sensor"], subscribe: ["home/+/+/set", "$SYS/#"] });
    const nothing = loadConfig({}, dir({ auth: { anonymousTopics: { publish: [] } } }));
    assert.deepEqual(nothing.auth.anonymousTopics, { publish: [], subscribe: ["#"] }, "an empty list allows nothing; a missing one everything");
  });

  it("keeps the last commits through a power cut when durability is full, from the file or the environment", () => {
    assert.equal(loadConfig({}, dir({ durability: "full" })).durability, "full");
    assert.equal(loadConfig({ HEARTH_DURABILITY: "full" }, dir({ durability: "normal" })).durability, "full");
  });

  it("lets the web side give way at nice 10 alone instead of SCHED_IDLE, from the file or the environment", () => {
    assert.equal(loadConfig({}, dir({ webPriority: "nice" })).webPriority, "nice");
    assert.equal(loadConfig({ HEARTH_WEB_PRIORITY: "nice" }, dir({ webPriority: "idle" })).webPriority, "nice");
    assert.equal(loadConfig({ HEARTH_WEB_PRIORITY: "idle" }, dir()).webPriority, "idle");
  });

  const bad: [label: string, env: Record<string, string>, file: unknown, pattern: RegExp][] = [
    ["a non-numeric port", { MQTT_PORT: "abc" }, undefined, /MQTT_PORT in the environment: must be a whole number \(got "abc"\)/],
    ["a port out of range", { PORT: "70000" }, undefined, /PORT in the environment/],
    ["a bad boolean", { HEARTH_SIMULATOR: "maybe" }, undefined, /HEARTH_SIMULATOR in the environment/],
    ["a bad host", { HOST: "my host" }, undefined, /HOST in the environment: must be a host name/],
    ["a proxy header that is not one", {}, { auth: { proxyHeader: "both" } }, /auth\.proxyHeader in .*must be auto, x-forwarded-for or forwarded/],
    ["the same port twice", { PORT: "1883" }, undefined, /PORT and MQTT_PORT are both 1883/],
    ["a wrong type in the file", {}, { mqttPort: "1883" }, /mqttPort in .*hearth\.config\.json/],
    ["an unknown key in the file", {}, { mqtPort: 1883 }, /hearth\.config\.json: Unrecognized key.*mqtPort/],
    ["a nested bad value in the file", {}, { simulator: { intervalMs: 5 } }, /simulator\.intervalMs in .*hearth\.config\.json/],
    ["a file that is not JSON", {}, "{ port: 3000", /Cannot read the config file .*hearth\.config\.json/],
    ["an alert rule that would flap", {}, { alerts: { rules: [{ ...seed, clear: 27 }] } }, /alerts\.rules\.0\.clear in .*: must be below the threshold \(26\)/],
    ["an alert rule without an id", {}, { alerts: { rules: [{ ...seed, id: undefined }] } }, /alerts\.rules\.0\.id in .*: is required/],
    ["two alert rules with one id", {}, { alerts: { rules: [seed, seed] } }, /alerts\.rules\.1\.id in .*: is used by an earlier rule/],
    ["an alert rule with a bad filter", {}, { alerts: { rules: [{ ...seed, filter: "home/#/x" }] } }, /alerts\.rules\.0\.filter in .*# must be/],
    ["a minute tier shorter than the raw window", { HEARTH_RETENTION_HOURS: "72", HEARTH_MINUTE_RETENTION_DAYS: "2" }, undefined, /history\.minuteRetentionDays \(HEARTH_MINUTE_RETENTION_DAYS\) is 2 days, shorter than the 72 hours/],
    ["an hour tier shorter than the minute tier", {}, { history: { hourRetentionDays: 10 } }, /history\.hourRetentionDays \(HEARTH_HOUR_RETENTION_DAYS\) is 10 days/],
    ["too many history reader threads", { HEARTH_HISTORY_READER_THREADS: "17" }, undefined, /HEARTH_HISTORY_READER_THREADS in the environment/],
    ["a prune interval of zero", { HEARTH_PRUNE_INTERVAL_MINUTES: "0" }, undefined, /HEARTH_PRUNE_INTERVAL_MINUTES in the environment/],
    ["an unbounded queue (0)", { HEARTH_MQTT_MAX_QUEUED: "0" }, undefined, /HEARTH_MQTT_MAX_QUEUED in the environment/],
    ["a window past the packet ids", {}, { limits: { maxInflightMessages: 70000 } }, /limits\.maxInflightMessages in .*hearth\.config\.json.*\(got 70000\)/],
    ["a device without an id", {}, { devices: [{ name: "Lamp" }] }, /devices\.0\.id in .*hearth\.config\.json/],
    ["a device listed twice", {}, { devices: [{ id: "a/b" }, { id: "a/b" }] }, /devices\.1\.id in .*: a\/b is listed twice/],
    ["a device with a bad room", {}, { devices: [{ id: "a/b", room: "Living Room" }] }, /devices\.0\.room in .*: must be a room name/],
    ["a device with a wildcard topic", {}, { devices: [{ id: "x", commandTopic: "a/+/set" }] }, /devices\.0\.commandTopic in .*wildcards/],
    ["a sensor without a state topic", {}, { devices: [{ id: "x", kind: "sensor" }] }, /devices\.0\.stateTopic in .*: a sensor needs one/],
    ["an unknown device key", {}, { devices: [{ id: "x", colour: "red" }] }, /devices\.0 in .*Unrecognized key.*colour/],
    ["a command timeout too short", { HEARTH_COMMAND_TIMEOUT_MS: "10" }, undefined, /HEARTH_COMMAND_TIMEOUT_MS in the environment/],
    ["an admin user without a password", { HEARTH_ADMIN_USER: "root" }, undefined, /HEARTH_ADMIN_PASSWORD in the environment: .*go together/],
    ["a short admin password", { HEARTH_ADMIN_USER: "root", HEARTH_ADMIN_PASSWORD: "short" }, undefined, /HEARTH_ADMIN_PASSWORD in the environment: must be at least 8/],
    ["a bad anonymous policy", { HEARTH_MQTT_ANONYMOUS: "lan" }, undefined, /HEARTH_MQTT_ANONYMOUS in the environment: must be loopback, all or off/],
    ["a certificate without its key", { HEARTH_TLS_CERT: "a.crt" }, undefined, /HEARTH_TLS_KEY in the environment/],
    ["plain MQTT off without TLS", { HEARTH_MQTT_PLAIN: "0" }, undefined, /HEARTH_MQTT_PLAIN=0 .*no TLS certificate/],
    ["MQTTS on the dashboard's port", { HEARTH_TLS_CERT: "a", HEARTH_TLS_KEY: "b", MQTTS_PORT: "3000" }, undefined, /PORT and MQTTS_PORT are both 3000/],
    ["a tiny packet limit", { HEARTH_MQTT_MAX_PACKET_BYTES: "10" }, undefined, /HEARTH_MQTT_MAX_PACKET_BYTES in the environment/],
    ["a trusted proxy that is not an address", { HEARTH_TRUSTED_PROXIES: "proxy.lan" }, undefined, /HEARTH_TRUSTED_PROXIES\.0 in the environment: must be an IP address or loopback/],
    ["an unknown anonymous policy in the file", {}, { auth: { anonymousMqtt: "yes" } }, /auth\.anonymousMqtt in .*hearth\.config\.json/],
    ["a bad anonymous filter in the file", {}, { auth: { anonymousTopics: { subscribe: ["home/#/x"] } } }, /auth\.anonymousTopics\.subscribe\.0 in .*hearth\.config\.json: "home\/#\/x"/],
    ["an unknown anonymous ACL key", {}, { auth: { anonymousTopics: { read: ["#"] } } }, /auth\.anonymousTopics in .*Unrecognized key.*read/],
    ["a bad anonymous filter in the environment", { HEARTH_MQTT_ANONYMOUS_PUBLISH: "home/+x" }, undefined, /HEARTH_MQTT_ANONYMOUS_PUBLISH\.0 in the environment: "home\/\+x": \+ must fill a whole level/],
    ["a durability that is not a sync mode", { HEARTH_DURABILITY: "extra" }, undefined, /HEARTH_DURABILITY in the environment: must be normal or full/],
    ["a web priority that is not idle or nice", { HEARTH_WEB_PRIORITY: "10" }, undefined, /HEARTH_WEB_PRIORITY in the environment: must be idle or nice/],
    ["a web priority in the file that is not idle or nice", {}, { webPriority: "low" }, /webPriority in .*hearth\.config\.json/],
    ["a durability in SQLite's own words", {}, { durability: "FULL" }, /durability in .*hearth\.config\.json/],
    ["HEARTH_CONFIG naming a missing file", { HEARTH_CONFIG: "nope.json" }, undefined, /HEARTH_CONFIG names .*nope\.json, which does not exist/],
    ["a database URL that is not PostgreSQL", { HEARTH_DATABASE_URL: "mysql://db/hearth" }, undefined, /HEARTH_DATABASE_URL in the environment: must be a postgres:\/\/ URL/],
    ["a database URL that is not a URL", {}, { databaseUrl: "db.local:5432" }, /databaseUrl in .*hearth\.config\.json: must be a postgres:\/\/ URL/],
  ];
  it("reads the PostgreSQL URL from the file and the environment", () => {
    const url = "postgres://hearth:secret@db.local:5432/hearth";
    assert.equal(loadConfig({}, dir({ databaseUrl: url })).databaseUrl, url);
    assert.equal(loadConfig({ HEARTH_DATABASE_URL: "postgresql:///hearth?host=/run/postgresql" }, dir({ databaseUrl: url })).databaseUrl, "postgresql:///hearth?host=/run/postgresql");
  });

  it("never shows a bad database URL's password", () =>
    expectConfigError(() => loadConfig({ HEARTH_DATABASE_URL: "mysql://hearth:s3cret@db/hearth" }, dir()), /got "mysql:\/\/hearth:\*\*\*@db\/hearth"/));

  for (const [label, env, file, pattern] of bad) {
    it(`stops on ${label}, naming the setting`, () => expectConfigError(() => loadConfig(env, dir(file)), pattern));
  }
});
