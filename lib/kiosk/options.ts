// The kiosk's settings (issue 7), read from /kiosk's query string so a wall tablet's
// start page carries them: /kiosk?lock=1&idle=120&night=22:00-07:00&wake=home/hall/motion
// A bad value falls back to its default; the page never refuses to show.
import { checkTopicName } from "../topics";

export type Clock = { hour: number; minute: number };
export type NightSchedule = { from: Clock; to: Clock };

export type KioskOptions = {
  /** Device toggles shown but not switchable. */
  locked: boolean;
  /** Seconds without a touch before the kiosk returns to its home view (and night mode dims again). */
  idleSeconds: number;
  /** Dim between these local times; null: never. */
  night: NightSchedule | null;
  /** A topic whose every message wakes the screen from night mode (a motion sensor). */
  wakeTopic: string | null;
  theme: "dark" | "light";
};

export const DEFAULT_KIOSK_OPTIONS: KioskOptions = { locked: false, idleSeconds: 120, night: null, wakeTopic: null, theme: "dark" };

type Params = Record<string, string | string[] | undefined>;

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function parseClock(text: string): Clock | null {
  const match = /^(\d{1,2}):(\d{2})$/.exec(text.trim());
  if (!match) return null;
  const hour = Number(match[1]);
  const minute = Number(match[2]);
  return hour < 24 && minute < 60 ? { hour, minute } : null;
}

/** "22:00-07:00" → 22:00 to 07:00 (across midnight); anything else → null. */
export function parseNightSchedule(text: string | undefined): NightSchedule | null {
  const parts = text?.split("-");
  if (parts?.length !== 2) return null;
  const from = parseClock(parts[0]);
  const to = parseClock(parts[1]);
  return from && to ? { from, to } : null;
}

export function parseKioskOptions(params: Params): KioskOptions {
  const lock = first(params.lock);
  const idle = Number(first(params.idle));
  const wake = first(params.wake)?.trim();
  return {
    locked: lock === "1" || lock === "true",
    idleSeconds: Number.isInteger(idle) && idle >= 10 && idle <= 86_400 ? idle : DEFAULT_KIOSK_OPTIONS.idleSeconds,
    night: parseNightSchedule(first(params.night)),
    wakeTopic: wake && checkTopicName(wake).ok ? wake : null,
    theme: first(params.theme) === "light" ? "light" : "dark",
  };
}

/** Whether `date`'s local time falls inside the schedule; a schedule may cross midnight. */
export function isNight(schedule: NightSchedule | null, date: Date): boolean {
  if (!schedule) return false;
  const minutes = date.getHours() * 60 + date.getMinutes();
  const from = schedule.from.hour * 60 + schedule.from.minute;
  const to = schedule.to.hour * 60 + schedule.to.minute;
  if (from === to) return false;
  return from < to ? minutes >= from && minutes < to : minutes >= from || minutes < to;
}
