// The CONNECT timeout and authentication's own bound (review 8, F2): the connect timer
// stops when a CONNECT arrives, so a device whose password check waits behind a flood of
// others' is not closed as "no CONNECT in time"; a check that never answers is closed
// with its own code, auth-timeout.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import type { Logger } from "../../lib/log";
import type { BrokerHook } from "./hooks";
import { startTestBroker, type TestBroker } from "./test-server";
import { rawClient } from "./test-clients";

// Broker and client share this process: a stall of the process between accept and reading the
// CONNECT longer than the connect timeout would close "slow" before its check starts. What the
// tests need is the ratio (a check outlasting the connect timeout, an auth timeout outlasting
// the check), not a short timeout (review-12 F12: 150 ms lost to a stall beside next build).
const CONNECT_TIMEOUT_MS = 1000;

describe("CONNECT timeout and authentication timeout", () => {
  let t: TestBroker;
  const codes: string[] = [];
  const log: Logger = { debug: () => {}, info: () => {}, warn: (_m, f) => codes.push(String(f?.code)), error: (_m, f) => codes.push(String(f?.code)) };
  const hook: BrokerHook<string> = {
    // "slow" answers well after the connect timeout (a busy scrypt pool); "stuck" never does.
    async authenticate(client) {
      if (client.username === "stuck") await new Promise(() => {});
      await sleep(CONNECT_TIMEOUT_MS * 2.5);
      return { ok: true, principal: client.username ?? "" };
    },
  };
  before(async () => {
    t = await startTestBroker<string>({ hooks: [hook], log, limits: { connectTimeoutMs: CONNECT_TIMEOUT_MS, authTimeoutMs: CONNECT_TIMEOUT_MS * 5 } });
  });
  after(() => t.close());

  const connect = async (username: string) => {
    const c = await rawClient(t.port, 4);
    c.send({ cmd: "connect", protocolId: "MQTT", protocolVersion: 4, clean: true, keepalive: 0, clientId: username, username });
    return c;
  };

  it("a CONNECT whose check outlasts the connect timeout is still answered", async () => {
    const c = await connect("slow");
    assert.equal(((await c.next("connack")) as { returnCode: number }).returnCode, 0);
    assert.ok(!codes.includes("connect-timeout"), codes.join());
    c.socket.destroy();
  });

  it("a check that never answers closes the connection as auth-timeout, not connect-timeout", async () => {
    const c = await connect("stuck");
    await c.closed;
    assert.deepEqual(codes, ["auth-timeout"]);
  });
});
