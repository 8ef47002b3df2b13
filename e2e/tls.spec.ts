// TLS with a certificate made by the hub's own command: the browser reaches the
// dashboard over HTTPS with its live connection on WSS, and mosquitto_pub checks
// the hub's certificate with --cafile on MQTT over TLS.
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { expect, test, TestHub } from "./hub";

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, "..");

let hub: TestHub;
let certDir: string;
let certFile: string;

test.beforeAll(async () => {
  certDir = mkdtempSync(path.join(tmpdir(), "hearth-tls-"));
  const { stdout } = await run(process.execPath, ["--import", "tsx", "broker/cli.ts", "generate-cert"], {
    cwd: ROOT,
    env: { ...process.env, HEARTH_DATA_DIR: certDir },
  });
  expect(stdout).toMatch(/Wrote .*hearth\.crt/);
  certFile = path.join(certDir, "tls", "hearth.crt");
  hub = await TestHub.start({ tls: { certFile, keyFile: path.join(certDir, "tls", "hearth.key") } });
});
test.afterAll(async () => {
  await hub?.dispose();
  rmSync(certDir, { recursive: true, force: true });
});

// The self-signed certificate is not in this browser's trust store (a phone is told
// to trust it, README "TLS"); mosquitto_pub below does check it, with --cafile.
test.use({ ignoreHTTPSErrors: true });

test("the dashboard is HTTPS with a Secure session cookie, its live connection WSS, and mosquitto_pub --cafile gets in over TLS", async ({ page }) => {
  expect(hub.url).toMatch(/^https:/);
  await hub.open(page);
  expect(page.url()).toMatch(/^https:/);
  const cookie = (await page.context().cookies()).find((c) => c.name === "hearth_session");
  expect(cookie?.secure).toBe(true);
  await expect.poll(() => hub.output).toMatch(/INFO hub: ready dashboard="https:.*mqtts="mqtts:.*websocket="wss:/);

  await run("mosquitto_pub", [
    "-h", "127.0.0.1", "-p", String(hub.mqttsPort), "--cafile", certFile,
    "-t", "home/tls/temperature", "-m", "19.5", "-q", "1",
  ]);
  await expect(page.locator('[data-topic="home/tls/temperature"]')).toContainText("19.5");
});

test("a client that does not trust the certificate is turned away", async () => {
  const otherDir = mkdtempSync(path.join(tmpdir(), "hearth-tls-other-"));
  try {
    await run(process.execPath, ["--import", "tsx", "broker/cli.ts", "generate-cert"], {
      cwd: ROOT,
      env: { ...process.env, HEARTH_DATA_DIR: otherDir },
    });
    const attempt = run("mosquitto_pub", [
      "-h", "127.0.0.1", "-p", String(hub.mqttsPort), "--cafile", path.join(otherDir, "tls", "hearth.crt"),
      "-t", "home/tls/temperature", "-m", "1",
    ]);
    await expect(attempt).rejects.toThrow();
  } finally {
    rmSync(otherDir, { recursive: true, force: true });
  }
});

test("with plain MQTT turned off, only MQTT over TLS answers", async () => {
  const tlsOnly = await TestHub.start({
    tls: { certFile, keyFile: path.join(certDir, "tls", "hearth.key") },
    env: { HEARTH_MQTT_PLAIN: "0" },
  });
  try {
    expect(tlsOnly.output).toMatch(/INFO hub: ready .*mqtt="off"/);
    const plain = run("mosquitto_pub", ["-h", "127.0.0.1", "-p", String(tlsOnly.mqttPort), "-t", "home/x/y", "-m", "1"]);
    await expect(plain).rejects.toThrow();
    await run("mosquitto_pub", [
      "-h", "127.0.0.1", "-p", String(tlsOnly.mqttsPort), "--cafile", certFile, "-t", "home/x/y", "-m", "1", "-q", "1",
    ]);
  } finally {
    await tlsOnly.dispose();
  }
});
