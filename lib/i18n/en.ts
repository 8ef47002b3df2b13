// English interface text: the reference dictionary. Every key here must exist in
// ko.ts too (its type is `Messages`), so a missing translation fails `tsc`.
// Keys are `area.thing`; `{name}` placeholders are filled by t(key, { name }).
export const en = {
  "app.name": "Hearth",
  "app.description": "Live readings and switches from around the home",

  "nav.pages": "Pages",
  "nav.home": "Home",
  "nav.alerts": "Alerts",
  "nav.temperatures": "Temperatures",
  "nav.explorer": "Explorer",
  "nav.storage": "Storage",
  "nav.kiosk": "Wall display",

  "connection.live": "Live",
  "connection.connecting": "Connecting…",
  "connection.reconnecting": "Reconnecting…",
  "connection.attempt": "(attempt {n})",
  "connection.offline": "Offline",

  "stale.asOf": "As of {time}",
  "stale.since": "Stale since {time}",
  "stale.explain": "The hub is unreachable: these are the last known values.",

  "dashboard.title": "Home",
  "dashboard.empty.title": "No readings yet",
  "dashboard.empty.body": "Rooms appear here as soon as a sensor publishes. To try it, run:",
  "room.devices": "{room} devices",
  "reading.offline": "offline",
  "reading.unreadable": "unreadable",

  "time.justNow": "just now",
  "time.secondsAgo": "{n} s ago",
  "time.minutesAgo": "{n} min ago",
  "time.hoursAgo": "{n} h ago",
  "time.daysAgo": "{n} d ago",

  "alerts.banner.more": "and {n} more",
  "alerts.banner.view": "View alerts",

  "prefs.label": "Display settings",
  "prefs.theme": "Theme",
  "prefs.theme.system": "System",
  "prefs.theme.light": "Light",
  "prefs.theme.dark": "Dark",
  "prefs.language": "Language",

  "kiosk.title": "Wall display",
  "kiosk.noRooms": "Waiting for readings…",
  "kiosk.locked": "Controls locked",
  "kiosk.night": "Night mode: touch to wake",
  "kiosk.alerts": "Alerts",
  "chart.at": "at {time}",
  "severity.info": "Info",
  "severity.warning": "Warning",
  "severity.critical": "Critical",
  "kiosk.back": "All rooms",
  "kiosk.showRoom": "Show all of {room}",
  "kiosk.moreAlerts": "and {n} more",
} as const satisfies Record<string, string>;

export type MessageKey = keyof typeof en;
export type Messages = Record<MessageKey, string>;
