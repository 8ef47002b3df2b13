import type { Messages } from "./en";

// Korean interface text. Typed as Messages: a key missing here is a type error.
export const ko: Messages = {
  "app.name": "Hearth",
  "app.description": "집 안 곳곳의 실시간 측정값과 스위치",

  "nav.pages": "페이지",
  "nav.home": "홈",
  "nav.alerts": "알림",
  "nav.temperatures": "온도",
  "nav.explorer": "탐색기",
  "nav.storage": "저장소",
  "nav.kiosk": "벽걸이 화면",

  "connection.live": "실시간",
  "connection.connecting": "연결 중…",
  "connection.reconnecting": "다시 연결 중…",
  "connection.attempt": "({n}번째 시도)",
  "connection.offline": "오프라인",

  "stale.asOf": "{time} 기준",
  "stale.since": "{time}부터 갱신 안 됨",
  "stale.explain": "허브에 연결할 수 없습니다. 마지막으로 받은 값입니다.",

  "dashboard.title": "홈",
  "dashboard.empty.title": "아직 측정값이 없습니다",
  "dashboard.empty.body": "센서가 값을 보내면 바로 방이 나타납니다. 시험해 보려면 다음을 실행하세요:",
  "room.devices": "{room} 기기",
  "reading.offline": "오프라인",
  "reading.unreadable": "읽을 수 없음",

  "time.justNow": "방금",
  "time.secondsAgo": "{n}초 전",
  "time.minutesAgo": "{n}분 전",
  "time.hoursAgo": "{n}시간 전",
  "time.daysAgo": "{n}일 전",

  "alerts.banner.more": "외 {n}건",
  "alerts.banner.view": "알림 보기",

  "prefs.label": "화면 설정",
  "prefs.theme": "테마",
  "prefs.theme.system": "시스템",
  "prefs.theme.light": "밝게",
  "prefs.theme.dark": "어둡게",
  "prefs.language": "언어",

  "kiosk.title": "벽걸이 화면",
  "kiosk.noRooms": "측정값을 기다리는 중…",
  "kiosk.locked": "조작 잠김",
  "kiosk.night": "야간 모드: 화면을 터치하면 켜집니다",
  "kiosk.alerts": "알림",
  "chart.at": "{time}",
  "severity.info": "정보",
  "severity.warning": "경고",
  "severity.critical": "심각",
  "kiosk.back": "모든 방",
  "kiosk.showRoom": "{room} 전체 보기",
  "kiosk.moreAlerts": "외 {n}건",
};
