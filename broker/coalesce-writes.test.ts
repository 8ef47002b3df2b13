// Writes made in one turn of the event loop leave as one socket write, in order, and
// nothing written before end() or a close is lost.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createServer, connect, type Socket } from "node:net";
import { once } from "node:events";
import { coalesceWrites } from "./coalesce-writes";

/** A connected pair on 127.0.0.1: `server` is the accepted end, wrapped. */
async function pair(): Promise<{ server: Socket; client: Socket; close(): Promise<void> }> {
  const listener = createServer();
  listener.listen(0, "127.0.0.1");
  await once(listener, "listening");
  const accepted = once(listener, "connection");
  const client = connect((listener.address() as { port: number }).port, "127.0.0.1");
  const [server] = (await accepted) as [Socket];
  await once(client, "connect");
  return {
    server: coalesceWrites(server),
    client,
    async close() {
      client.destroy();
      server.destroy();
      await new Promise<void>((resolve) => listener.close(() => resolve()));
    },
  };
}

/** Counts the system-call-level writes the socket makes (one _writev or _write each). */
function countWrites(socket: Socket): () => number {
  let writes = 0;
  const s = socket as Socket & { _writev: Function; _write: Function };
  const [writev, write] = [s._writev, s._write];
  s._writev = function (...args: unknown[]) {
    writes++;
    return writev.apply(this, args);
  };
  s._write = function (...args: unknown[]) {
    writes++;
    return write.apply(this, args);
  };
  return () => writes;
}

function received(socket: Socket, bytes: number): Promise<string> {
  let text = "";
  return new Promise((resolve) => {
    socket.on("data", (chunk: Buffer) => {
      text += chunk.toString();
      if (text.length >= bytes) resolve(text);
    });
  });
}

describe("coalesceWrites", () => {
  it("sends the packets one turn wrote as one write, in order", async () => {
    const { server, client, close } = await pair();
    const writes = countWrites(server);
    const got = received(client, 9);
    // As aedes delivers: each packet in its own setImmediate, written in pieces under
    // cork() and uncorked on the next tick (mqtt-packet's writeToStream).
    for (const piece of ["abc", "def", "ghi"]) {
      setImmediate(() => {
        server.cork();
        server.write(piece.slice(0, 1));
        server.write(piece.slice(1));
        process.nextTick(() => server.uncork());
      });
    }
    assert.equal(await got, "abcdefghi");
    assert.equal(writes(), 1);
    await close();
  });

  it("writes again in a later turn", async () => {
    const { server, client, close } = await pair();
    const writes = countWrites(server);
    const got = received(client, 2);
    server.write("1");
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    server.write("2");
    assert.equal(await got, "12");
    assert.equal(writes(), 2);
    await close();
  });

  it("flushes what was written before end()", async () => {
    const { server, client, close } = await pair();
    const got = received(client, 5);
    server.write("bye");
    server.end("!!");
    assert.equal(await got, "bye!!");
    await close();
  });
});
