import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { readingHref, roomHref, topicFromSegments } from "./links";

describe("page links", () => {
  it("round-trips topics and filters through the reading page's segments", () => {
    for (const topic of ["home/attic/temperature", "home/+/temperature", "home/living room/co2", "a/#"]) {
      const segments = readingHref(topic).slice("/readings/".length).split("/");
      assert.equal(topicFromSegments(segments), topic);
    }
    assert.equal(readingHref("home/+/temperature"), "/readings/home/%2B/temperature");
  });

  it("keeps a segment that is not valid percent-encoding as it is", () => {
    assert.equal(topicFromSegments(["home", "100%", "x"]), "home/100%/x");
  });

  it("links rooms", () => {
    assert.equal(roomHref("living room"), "/rooms/living%20room");
  });
});
