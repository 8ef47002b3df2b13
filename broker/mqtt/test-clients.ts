// Clients for the broker's tests: mqtt.js (what devices and the dashboard use) and a
// raw mqtt-packet client for the packets a client library would never send.
import { connect as netConnect, type Socket } from "node:net";
import mqtt, { type IClientOptions, type MqttClient } from "mqtt";
import { generate, parser as createParser, type Packet } from "mqtt-packet";

/** Tests fail instead of hanging: how long to wait for something that should come. */
export const WAIT_MS = 3000;

export async function connectClient(port: number, options: IClientOptions = {}): Promise<MqttClient> {
  const client = mqtt.connect(`mqtt://127.0.0.1:${port}`, { reconnectPeriod: 0, connectTimeout: WAIT_MS, ...options });
  await new Promise<void>((resolve, reject) => {
    client.once("connect", () => resolve());
    client.once("error", reject);
    client.once("close", () => reject(new Error("closed before CONNACK")));
  });
  return client;
}

export type Received = { topic: string; payload: string; retain: boolean; qos: number; properties: Record<string, unknown> | undefined };

/** Every message the client receives, in order. */
export function collect(client: MqttClient): Received[] {
  const seen: Received[] = [];
  client.on("message", (topic, payload, packet) =>
    seen.push({ topic, payload: payload.toString(), retain: packet.retain, qos: packet.qos, properties: packet.properties as Record<string, unknown> }),
  );
  return seen;
}

/** Resolves once `check` holds, polling briefly; rejects after `waitMs` (WAIT_MS unless told) with `what`. */
export async function until(check: () => boolean, what: string, waitMs = WAIT_MS): Promise<void> {
  const deadline = Date.now() + waitMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export type RawClient = {
  socket: Socket;
  send(packet: Packet): void;
  /** The next packet from the broker (of `cmd`, skipping others if given). */
  next(cmd?: Packet["cmd"]): Promise<Packet>;
  /** Resolves when the broker closes the connection. */
  closed: Promise<void>;
  received: Packet[];
};

export async function rawClient(port: number, protocolVersion: 3 | 4 | 5 = 4): Promise<RawClient> {
  const socket = netConnect(port, "127.0.0.1");
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("error", reject);
  });
  const parser = createParser({ protocolVersion });
  const received: Packet[] = [];
  let cursor = 0;
  let wake: (() => void) | null = null;
  parser.on("packet", (packet: Packet) => {
    received.push(packet);
    wake?.();
  });
  socket.on("data", (chunk) => parser.parse(chunk));
  socket.on("error", () => {});
  const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
  closed.then(() => wake?.());
  let isClosed = false;
  closed.then(() => (isClosed = true));
  return {
    socket,
    received,
    closed,
    send: (packet) => socket.write(generate(packet, { protocolVersion })),
    async next(cmd) {
      const deadline = Date.now() + WAIT_MS;
      for (;;) {
        while (cursor < received.length) {
          const packet = received[cursor++];
          if (cmd === undefined || packet.cmd === cmd) return packet;
        }
        if (isClosed) throw new Error(`connection closed while waiting for ${cmd ?? "a packet"}`);
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${cmd ?? "a packet"}`);
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, 20);
        });
        wake = null;
      }
    },
  };
}

let rawCount = 0;

/** A raw client past CONNACK. */
export async function rawConnected(port: number, protocolVersion: 4 | 5, connect: Partial<Extract<Packet, { cmd: "connect" }>> = {}): Promise<RawClient> {
  const client = await rawClient(port, protocolVersion);
  client.send({ cmd: "connect", protocolId: "MQTT", protocolVersion, clean: true, keepalive: 0, clientId: `raw-${++rawCount}`, ...connect });
  const connack = await client.next("connack");
  if ((connack as { returnCode?: number; reasonCode?: number }).returnCode || (connack as { reasonCode?: number }).reasonCode) {
    throw new Error(`refused: ${JSON.stringify(connack)}`);
  }
  return client;
}
