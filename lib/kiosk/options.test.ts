import assert from "node:assert/strict";
import { test } from "node:test";
import { DEFAULT_KIOSK_OPTIONS, isNight, parseKioskOptions, parseNightSchedule } from "./options";

test("kiosk options from the query string, bad values falling back to defaults", () => {
  assert.deepEqual(parseKioskOptions({}), DEFAULT_KIOSK_OPTIONS);
  const cases: [Record<string, string | string[]>, Partial<typeof DEFAULT_KIOSK_OPTIONS>][] = [
    [{ lock: "1" }, { locked: true }],
    [{ lock: "yes" }, { locked: false }],
    [{ idle: "300" }, { idleSeconds: 300 }],
    [{ idle: "3" }, { idleSeconds: 120 }],
    [{ idle: "abc" }, { idleSeconds: 120 }],
    [{ wake: "home/hall/motion" }, { wakeTopic: "home/hall/motion" }],
    [{ wake: "home/+/motion" }, { wakeTopic: null }],
    [{ theme: "light" }, { theme: "light" }],
    [{ theme: ["light", "dark"] }, { theme: "light" }],
    [{ night: "22:00-07:00" }, { night: { from: { hour: 22, minute: 0 }, to: { hour: 7, minute: 0 } } }],
  ];
  for (const [params, expected] of cases) {
    assert.deepEqual(parseKioskOptions(params), { ...DEFAULT_KIOSK_OPTIONS, ...expected }, JSON.stringify(params));
  }
});

test("night schedules that are not times are none", () => {
  for (const text of [undefined, "", "22:00", "25:00-07:00", "22:00-07:60", "a-b", "22:00-07:00-08:00"]) {
    assert.equal(parseNightSchedule(text), null, String(text));
  }
});

test("isNight within a day and across midnight", () => {
  const at = (h: number, m: number) => new Date(2026, 0, 1, h, m);
  const overnight = parseNightSchedule("22:00-07:00");
  const afternoon = parseNightSchedule("13:30-14:00");
  const cases: [typeof overnight, Date, boolean][] = [
    [overnight, at(23, 0), true],
    [overnight, at(3, 0), true],
    [overnight, at(7, 0), false],
    [overnight, at(21, 59), false],
    [overnight, at(22, 0), true],
    [afternoon, at(13, 45), true],
    [afternoon, at(14, 0), false],
    [null, at(23, 0), false],
  ];
  for (const [schedule, date, expected] of cases) assert.equal(isNight(schedule, date), expected, date.toTimeString());
});
