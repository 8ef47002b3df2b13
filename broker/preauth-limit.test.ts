// Review 8, F11, over real sockets: a stranger opening sockets and sending nothing used
// to hold every connection slot, and every device was refused. Now his sockets wait in
// a small pool with a share per address, the oldest closed to make room, and a device
// on loopback connects whatever he holds.
import assert from "node:assert/strict";
import { connect as netConnect, type Socket } from "node:net";
import { after, before, describe, it } from "node:test";
import type { Principal } from "../lib/auth/roles";
import type { Logger } from "../lib/log";
import { createLimits, WAITING } from "./limits";
import { startTestBroker, type TestBroker } from "./mqtt/test-server";
import { connectClient, until } from "./mqtt/test-clients";

/** Another address on the loopback interface (all of 127/8 is): the stranger's. */
const STRANGER = "127.0.0.2";
const MAX_CONNECTIONS = 30;

describe("sockets that send no CONNECT (review 8, F11)", () => {
  let t: TestBroker;
  const lines: string[] = [];
  const log: Logger = { debug: () => {}, info: () => {}, warn: (m, f) => lines.push(`${m} ${JSON.stringify(f)}`), error: () => {} };
  const held: Socket[] = [];
  before(async () => {
    // A short grace: the stranger's sockets count as idle soon after he opens them.
    const limits = createLimits({ maxConnections: MAX_CONNECTIONS, maxPublishesPerSecond: 100, publishBurst: 100, maxSubscriptionsPerClient: 10 }, log, Date.now, { ...WAITING, graceMs: 50 });
    // A long CONNECT timeout: the stranger's sockets are not recycled by it during the test.
    t = await startTestBroker<Principal>({ hooks: [limits], limits: { connectTimeoutMs: 60_000 } });
  });
  after(async () => {
    for (const socket of held) socket.destroy();
    await t.close();
  });

  const idleSocket = () =>
    new Promise<Socket>((resolve, reject) => {
      const socket = netConnect({ host: "127.0.0.1", port: t.port, localAddress: STRANGER }, () => resolve(socket));
      socket.once("error", reject);
      socket.resume();
    });

  it("a stranger holding more idle sockets than there are slots keeps only his share, and a device on loopback still connects", async () => {
    for (let i = 0; i < MAX_CONNECTIONS * 3; i++) held.push(await idleSocket());
    await new Promise((resolve) => setTimeout(resolve, 100)); // all of them idle now
    held.push(await idleSocket());
    await until(() => held.filter((s) => !s.closed).length === WAITING.perAddress, "the stranger's oldest sockets to close");
    assert.equal(lines.filter((l) => l.includes('"code":"preauth-limit"')).length, 1);
    assert.match(lines[0], /"address":"127\.0\.0\.2"/);

    const device = await connectClient(t.port, { clientId: "kitchen-sensor" });
    assert.equal(device.connected, true);
    await device.endAsync();
    assert.equal(held.filter((s) => !s.closed).length, WAITING.perAddress, "and the stranger's newest still wait");
  });
});
