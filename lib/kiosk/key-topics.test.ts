import assert from "node:assert/strict";
import { test } from "node:test";
import { keyTopics } from "./key-topics";

test("key readings lead with temperature and humidity, three unless expanded", () => {
  const topics = ["home/attic/battery", "home/attic/co2", "home/attic/humidity", "home/attic/noise", "home/attic/temperature"];
  assert.deepEqual(keyTopics(topics, false), ["home/attic/temperature", "home/attic/humidity", "home/attic/co2"]);
  assert.deepEqual(keyTopics(topics, true), [
    "home/attic/temperature",
    "home/attic/humidity",
    "home/attic/co2",
    "home/attic/battery",
    "home/attic/noise",
  ]);
  assert.deepEqual(keyTopics(["ha:sensor/x/y", "home/a/temperature"], false), ["home/a/temperature", "ha:sensor/x/y"]);
  assert.deepEqual(keyTopics([], false), []);
});
