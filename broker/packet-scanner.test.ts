import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createPacketScanner } from "./packet-scanner";

const bytes = (...b: number[]) => Uint8Array.from(b);
const publish = (bodyLength: number) => {
  // PUBLISH QoS 0 with a topic "t" and a payload filling the rest.
  const body = [0x00, 0x01, 0x74, ...new Array(bodyLength - 3).fill(0x41)];
  const len: number[] = [];
  let n = body.length;
  do {
    let b = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    len.push(b);
  } while (n > 0);
  return bytes(0x30, ...len, ...body);
};

describe("packet scanner", () => {
  const cases: [label: string, max: number, chunks: Uint8Array[], code: string | null][] = [
    ["a PINGREQ", 1024, [bytes(0xc0, 0x00)], null],
    ["packets back to back", 1024, [bytes(0xc0, 0x00, 0xc0, 0x00, ...publish(100))], null],
    ["a packet at the limit", 102, [publish(100)], null],
    ["a packet one byte over the limit", 101, [publish(100)], "packet-too-large"],
    ["a header split across chunks", 1024, [bytes(0x30), bytes(0x85), bytes(0x01), new Uint8Array(133)], null],
    ["a declared 256 MiB, before any body arrives", 1024, [bytes(0x30, 0xff, 0xff, 0xff, 0x7f)], "packet-too-large"],
    ["a length field of five bytes", 1 << 30, [bytes(0x30, 0xff, 0xff, 0xff, 0xff, 0x01)], "malformed-length"],
    ["a big body split across many chunks", 5000, [publish(4000).subarray(0, 10), publish(4000).subarray(10, 2000), publish(4000).subarray(2000)], null],
  ];
  for (const [label, max, chunks, code] of cases) {
    it(`${label}: ${code ?? "passes"}`, () => {
      const scanner = createPacketScanner(max);
      let result = null;
      for (const chunk of chunks) result ??= scanner.feed(chunk);
      assert.equal(result?.code ?? null, code);
    });
  }

  it("scan stops right after the n-th packet's end, and counts a packet that began in an earlier chunk", () => {
    const scanner = createPacketScanner(1024);
    const chunk = bytes(0xc0, 0x00, ...publish(10), 0xc0, 0x00);
    assert.equal(scanner.scan(chunk, 0, 2), 2 + 12);
    assert.equal(scanner.ended, 2);
    assert.equal(scanner.scan(chunk, 14, 5), chunk.length);
    assert.equal(scanner.ended, 1);
    const split = publish(10);
    assert.equal(scanner.scan(split.subarray(0, 5), 0, 1), 5);
    assert.equal(scanner.ended, 0);
    assert.equal(scanner.scan(split.subarray(5), 0, 1), 7);
    assert.equal(scanner.ended, 1);
    assert.equal(scanner.problem, null);
  });

  it("stays failed once failed", () => {
    const scanner = createPacketScanner(10);
    assert.equal(scanner.feed(publish(100))?.code, "packet-too-large");
    assert.equal(scanner.feed(bytes(0xc0, 0x00))?.code, "packet-too-large");
  });
});
