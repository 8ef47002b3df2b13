// Names of the measurements Hearth knows, per interface language (issue 15): labels
// made from topic words ("home/+/humidity", "Kitchen temperature") are read by
// people, so "모든 방의 Humidity" must become "모든 방의 습도". Rooms and devices are
// the home's own words and stay as written; an unknown measurement falls back to
// its topic word made readable (lib/topics.ts labelFromLevel).
import { inlineLabelFromLevel, labelFromLevel } from "../topics";
import type { Locale } from "./translate";

/** Korean names, by lower-cased topic level; English is the topic word itself, capitalised. */
const KO: Readonly<Record<string, string>> = {
  temperature: "온도",
  humidity: "습도",
  pressure: "기압",
  co2: "이산화탄소(CO₂)",
  voc: "휘발성 유기화합물(VOC)",
  pm25: "초미세먼지(PM2.5)",
  pm10: "미세먼지(PM10)",
  illuminance: "조도",
  light: "조도",
  lux: "조도",
  power: "전력",
  energy: "전력량",
  voltage: "전압",
  current: "전류",
  battery: "배터리",
  noise: "소음",
  moisture: "수분",
  wind: "풍속",
  rain: "강수량",
  motion: "움직임",
  occupancy: "재실",
  door: "문",
  window: "창문",
  smoke: "연기",
  water: "누수",
  // The last level of a device's topics (home/<room>/<device>/<kind>).
  state: "상태",
  set: "명령",
  availability: "연결 상태",
};

/** A measurement's name on its own, as a title or a column: "Humidity" / "습도". */
export function measurementName(level: string, locale: Locale): string {
  if (locale === "ko") return KO[level.toLowerCase()] ?? labelFromLevel(level);
  return labelFromLevel(level);
}

/** A measurement's name inside a label: "temperature" (as in "Kitchen temperature") / "온도". */
export function measurementWord(level: string, locale: Locale): string {
  if (locale === "ko") return KO[level.toLowerCase()] ?? inlineLabelFromLevel(level);
  return inlineLabelFromLevel(level);
}

/** "Kitchen temperature" / "Kitchen 온도": a room's reading, the room as the home named it. */
export function readingLabel(room: string, measurement: string, locale: Locale): string {
  return `${labelFromLevel(room)} ${measurementWord(measurement, locale)}`;
}
