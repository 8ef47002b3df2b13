// One-line, grep-friendly logs: `2026-11-23T03:30:00.000Z WARN recorder: unreadable payload topic="home/x/y" code=not-a-number`.
type Level = "debug" | "info" | "warn" | "error";
const ORDER: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export type Fields = Record<string, string | number | boolean | null | undefined>;

export type Logger = {
  debug(message: string, fields?: Fields): void;
  info(message: string, fields?: Fields): void;
  warn(message: string, fields?: Fields): void;
  error(message: string, fields?: Fields): void;
};

function threshold(): number {
  const env = (process.env.HEARTH_LOG_LEVEL ?? "info") as Level;
  return ORDER[env] ?? ORDER.info;
}

function format(fields: Fields | undefined): string {
  if (!fields) return "";
  let out = "";
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    // Strings are quoted: topics and messages come from devices and may hold spaces or newlines.
    out += ` ${key}=${typeof value === "string" ? JSON.stringify(value) : String(value)}`;
  }
  return out;
}

export function createLogger(scope: string): Logger {
  const write = (level: Level, message: string, fields?: Fields) => {
    if (ORDER[level] < threshold()) return;
    const line = `${new Date().toISOString()} ${level.toUpperCase()} ${scope}: ${message}${format(fields)}\n`;
    (level === "error" || level === "warn" ? process.stderr : process.stdout).write(line);
  };
  return {
    debug: (m, f) => write("debug", m, f),
    info: (m, f) => write("info", m, f),
    warn: (m, f) => write("warn", m, f),
    error: (m, f) => write("error", m, f),
  };
}
