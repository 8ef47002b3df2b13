import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { measurementName, measurementWord, readingLabel } from "./measurements";
import { createTranslator } from "./translate";

describe("measurement names", () => {
  it("names the demo home's measurements in Korean and English", () => {
    for (const level of ["temperature", "humidity", "co2", "illuminance"]) {
      assert.doesNotMatch(measurementName(level, "ko"), /[A-Za-z]{3,}/, `${level} has no English word in Korean`);
    }
    assert.equal(measurementName("humidity", "ko"), "습도");
    assert.equal(measurementName("Humidity", "en"), "Humidity");
    assert.equal(measurementName("co2", "en"), "CO₂");
  });

  it("makes the labels a person reads, fully in the page's language for known measurements", () => {
    assert.equal(readingLabel("living_room", "temperature", "en"), "Living room temperature");
    assert.equal(readingLabel("office", "co2", "en"), "Office CO₂");
    assert.equal(readingLabel("kitchen", "humidity", "ko"), "Kitchen 습도");
    assert.equal(createTranslator("ko")("page.reading.everyRoom", { measurement: measurementName("humidity", "ko") }), "모든 방의 습도");
  });

  it("keeps an unknown measurement's own word, made readable", () => {
    assert.equal(measurementName("soil_ph", "ko"), "Soil ph");
    assert.equal(measurementWord("soil_ph", "en"), "soil ph");
  });
});
