// Where each page lives, built in one place so links and routes agree.
import { topicLevels } from "./topics";

/** /readings/home/attic/temperature; a filter works too: /readings/home/%2B/temperature. */
export function readingHref(topic: string): string {
  return `/readings/${topicLevels(topic).map(encodeURIComponent).join("/")}`;
}

/** The topic back from the reading page's catch-all segments. */
export function topicFromSegments(segments: readonly string[]): string {
  return segments
    .map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        return s;
      }
    })
    .join("/");
}

export function roomHref(room: string): string {
  return `/rooms/${encodeURIComponent(room)}`;
}
