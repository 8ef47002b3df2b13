// An admin ends a stuck session from the shell (review-9 F3): a client id kept by another
// account's persistent session refuses the device that now uses it ("Identifier
// rejected") until `hearth session end` frees it. Real broker with the hub's hooks, real
// accounts.sqlite, the real CLI in another process over the hub's control socket, mqtt.js.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import type { IDisconnectPacket } from "mqtt-packet";
import type { AccountStore } from "../lib/auth/account-store";
import { openSqliteAccountStore } from "../lib/auth/sqlite-account-store";
import { controlSocketPath, startControlSocket } from "./control-socket";
import { connectClient } from "./mqtt/test-clients";
import { quietLog } from "./mqtt/test-server";
import { hearth, startHubBroker, type TestHubBroker } from "./test-hub-broker";

describe("hearth session list / end", () => {
  let dir: string;
  let accounts: AccountStore;
  let t: TestHubBroker;
  let control: { close(): void } | null;
  const lines: string[] = [];
  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "hearth-control-"));
    accounts = openSqliteAccountStore(path.join(dir, "accounts.sqlite"));
    t = await startHubBroker(accounts, lines);
    control = await startControlSocket({ file: controlSocketPath(dir), broker: t.broker, log: quietLog(lines) });
  });
  after(async () => {
    control?.close();
    await t.close();
    await accounts.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("the socket is the hub user's alone", () => {
    assert.equal(statSync(controlSocketPath(dir)).mode & 0o777, 0o600);
  });

  it("a client id kept by another account's session is listed, ended by the admin, and then free for the device's new account", async () => {
    const a = await accounts.createDevice("plug-a", ["home/office/#"]);
    const b = await accounts.createDevice("plug-b", ["home/office/#"]);
    const first = await connectClient(t.port, { clientId: "shelly-1", clean: false, username: "plug-a", password: a.password });
    await first.subscribeAsync("home/office/#", { qos: 1 });
    await first.endAsync();
    await assert.rejects(connectClient(t.port, { clientId: "shelly-1", clean: true, username: "plug-b", password: b.password }), /Identifier rejected/);

    const list = await hearth(dir, "session", "list");
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /^shelly-1\tdevice:plug-a\tdisconnected since \d{4}-\d\d-\d\dT/m);
    const end = await hearth(dir, "session", "end", "shelly-1");
    assert.equal(end.code, 0, end.stderr);
    assert.match(end.stdout, /Ended the session shelly-1/);
    assert.ok(lines.some((l) => l.includes('"code":"session-ended-by-admin"')));

    const moved = await connectClient(t.port, { clientId: "shelly-1", clean: false, username: "plug-b", password: b.password });
    assert.equal((await hearth(dir, "session", "list")).stdout.match(/^shelly-1\t.*$/m)?.[0], "shelly-1\tdevice:plug-b\tconnected");
    await moved.endAsync();
  });

  it("ending a connected MQTT 5 session sends DISCONNECT 0x98; an unknown client id is an error with its code", async () => {
    const c = await accounts.createDevice("plug-c", ["home/office/#"]);
    const live = await connectClient(t.port, { clientId: "shelly-2", protocolVersion: 5, username: "plug-c", password: c.password });
    const heard = new Promise<number | undefined>((resolve) => live.once("disconnect", (p: IDisconnectPacket) => resolve(p.reasonCode)));
    assert.equal((await hearth(dir, "session", "end", "shelly-2")).code, 0);
    // MQTT 5.0 §3.14.2.1: 0x98 "Administrative action".
    assert.equal(await heard, 0x98);
    live.end(true);
    const unknown = await hearth(dir, "session", "end", "no-such-client");
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /session-not-found/);
  });

  it("a second hub on the same data directory leaves the running hub's socket alone (review-11)", async () => {
    const second = await startControlSocket({ file: controlSocketPath(dir), broker: t.broker, log: quietLog(lines) });
    assert.equal(second, null);
    assert.ok(lines.some((l) => l.includes('"code":"control-socket-in-use"')), lines.join("\n"));
    const list = await hearth(dir, "session", "list");
    assert.equal(list.code, 0, list.stderr);
  });

  it("with no hub running on the data directory, the command says so", async () => {
    const empty = mkdtempSync(path.join(tmpdir(), "hearth-control-none-"));
    try {
      const list = await hearth(empty, "session", "list");
      assert.equal(list.code, 2);
      assert.match(list.stderr, /no hub is running .*\(hub-not-running\)/);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
