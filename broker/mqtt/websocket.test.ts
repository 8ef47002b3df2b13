// MQTT over WebSocket: the broker takes ws's stream as it takes a socket.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { generate, parser as createParser, type Packet } from "mqtt-packet";
import { WebSocket, WebSocketServer, createWebSocketStream } from "ws";
import { startTestBroker } from "./test-server";
import { collect, connectClient, until } from "./test-clients";

describe("MQTT over WebSocket", () => {
  it("[MQTT-3.1.2-8] a WebSocket client that drops without DISCONNECT has its will published", async () => {
    const t = await startTestBroker();
    const wss = new WebSocketServer({ noServer: true });
    const http = createServer();
    http.on("upgrade", (req, socket, head) => wss.handleUpgrade(req, socket, head, (ws) => t.broker.handle(createWebSocketStream(ws), req)));
    await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
    const port = (http.address() as { port: number }).port;

    const watcher = await connectClient(t.port);
    const seen = collect(watcher);
    await watcher.subscribeAsync("ws/#", { qos: 1 });
    const ws = new WebSocket(`ws://127.0.0.1:${port}/mqtt`, "mqtt");
    await new Promise((resolve, reject) => ws.once("open", resolve).once("error", reject));
    const parser = createParser();
    const packets: Packet[] = [];
    parser.on("packet", (p) => packets.push(p));
    ws.on("message", (data: Buffer) => parser.parse(data));
    ws.send(generate({ cmd: "connect", protocolId: "MQTT", protocolVersion: 4, clean: true, keepalive: 0, clientId: "ws-device", will: { topic: "ws/availability", payload: Buffer.from("offline"), qos: 1, retain: false } }));
    await until(() => packets.some((p) => p.cmd === "connack"), "CONNACK over WebSocket");
    ws.terminate(); // the socket dies: no close frame, no DISCONNECT
    await until(() => seen.some((m) => m.topic === "ws/availability" && m.payload === "offline"), "the will");
    assert.equal(t.broker.stats().connections, 1);
    await watcher.endAsync();
    wss.close();
    await new Promise<void>((resolve) => http.close(() => resolve()));
    await t.close();
  });
});
