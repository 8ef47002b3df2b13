// $SYS/broker/store/messages/count (Mosquitto's name): what the broker holds for sessions
// besides its retained messages shows there, and goes when the session goes — the fuzz
// e2e's settle check reads it (review-15 L2).
import assert from "node:assert/strict";
import { after, before, it } from "node:test";
import { startTestBroker, type TestBroker } from "./test-server";
import { collect, connectClient, until } from "./test-clients";

let t: TestBroker;
before(async () => {
  t = await startTestBroker({ sysIntervalMs: 20 });
});
after(async () => {
  await t.close();
});

it("store/messages/count is the retained messages plus those queued for an offline persistent session, until that session ends", async () => {
  const sys = await connectClient(t.port, { clientId: "sys-watch" });
  const seen = collect(sys);
  await sys.subscribeAsync("$SYS/broker/#");
  const latest = (name: string) => Number(seen.findLast((m) => m.topic === `$SYS/broker/${name}`)?.payload);
  /** Held for sessions: the store's count less the retained messages, from one tick's pair. */
  const held = () => latest("store/messages/count") - latest("retained messages/count");
  await until(() => held() === 0, "nothing held at first");

  const away = await connectClient(t.port, { clientId: "sys-away", clean: false, protocolVersion: 4 });
  await away.subscribeAsync("sys/queued", { qos: 1 });
  await away.endAsync();
  const publisher = await connectClient(t.port, { clientId: "sys-pub" });
  for (let i = 0; i < 3; i++) await publisher.publishAsync("sys/queued", String(i), { qos: 1 });
  await publisher.publishAsync("sys/kept", "x", { qos: 1, retain: true });
  await until(() => held() === 3 && latest("retained messages/count") >= 1, "three queued for sys-away");

  // Its session ended the way a device ends it: clean start.
  const back = await connectClient(t.port, { clientId: "sys-away", clean: true, protocolVersion: 4 });
  await back.endAsync();
  await until(() => held() === 0, "nothing held once the session is gone");
  await publisher.endAsync();
  await sys.endAsync();
});
