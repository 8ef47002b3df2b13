import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { topicLabel } from "./view";

describe("topicLabel", () => {
  // Alert lines, the banner and the alert history lead with this label.
  const cases: [topic: string, label: string][] = [
    ["home/kitchen/temperature", "Kitchen temperature"],
    ["home/living_room/humidity", "Living room humidity"],
    ["home/office/Energy", "Office energy"],
    ["home/garden/soil-moisture", "Garden soil moisture"],
    // Known labels keep their spelling mid-sentence (lib/topics.ts LABELS).
    ["home/office/co2", "Office CO₂"],
    ["home/office/CO2", "Office CO₂"],
    ["home/bedroom/voc", "Bedroom VOC"],
    ["home/hall/pm25", "Hall PM2.5"],
    ["home/hall/pm10", "Hall PM10"],
    ["home/tv/co2", "TV CO₂"],
    // Device topics: the device's label, then which of its topics.
    ["home/living_room/tv/state", "Living room TV state"],
    ["home/porch/sensor/availability", "Porch sensor availability"],
    ["home/kitchen/coffee-maker/set", "Kitchen coffee maker set"],
    // Not Hearth's convention: shown as it is.
    ["zigbee2mqtt/bridge", "zigbee2mqtt/bridge"],
    ["home/kitchen/lamp/brightness", "home/kitchen/lamp/brightness"],
  ];
  for (const [topic, label] of cases) {
    it(`${topic} → ${label}`, () => assert.equal(topicLabel(topic), label));
  }
});

describe("topicLabel in Korean", () => {
  const cases: [topic: string, label: string][] = [
    ["home/nursery/temperature", "Nursery 온도"],
    ["home/living_room/humidity", "Living room 습도"],
    ["home/porch/sensor/availability", "Porch sensor 연결 상태"],
    ["home/garden/soil-moisture", "Garden soil moisture"],
  ];
  for (const [topic, label] of cases) {
    it(`${topic} → ${label}`, () => assert.equal(topicLabel(topic, "ko"), label));
  }
});
