import { useEffect, useState, type RefObject } from "react";

// One IntersectionObserver for every element that asks, and one target for all the
// elements inside one container: the browser computes intersections for every target
// on every frame that changes the page, and a dashboard of a thousand sensors has a
// thousand sparklines in a hundred room cards.

type Watch = (visible: boolean) => void;

const MARGIN = "200px";
let observer: IntersectionObserver | null = null;
const watchers = new Map<Element, Set<Watch>>();
const lastSeen = new Map<Element, boolean>();

function shared(): IntersectionObserver {
  observer ??= new IntersectionObserver(
    (entries) => {
      for (const entry of entries) {
        lastSeen.set(entry.target, entry.isIntersecting);
        for (const watch of watchers.get(entry.target) ?? []) watch(entry.isIntersecting);
      }
    },
    { rootMargin: MARGIN },
  );
  return observer;
}

/**
 * Whether the element — or, with `container`, its closest ancestor matching that
 * selector, watched once for everything inside it — is on screen or within 200 px of
 * it. False on the server and until the observer's first report, which comes within a
 * frame of mounting; true where IntersectionObserver is missing.
 */
export function useOnScreen(ref: RefObject<Element | null>, container?: string): boolean {
  const [visible, setVisible] = useState(false);
  useEffect(() => {
    const own = ref.current;
    if (!own) return;
    if (typeof IntersectionObserver === "undefined") {
      setVisible(true);
      return;
    }
    const target = (container && own.closest(container)) || own;
    let set = watchers.get(target);
    if (!set) {
      watchers.set(target, (set = new Set()));
      shared().observe(target);
    } else if (lastSeen.has(target)) {
      setVisible(lastSeen.get(target)!);
    }
    set.add(setVisible);
    return () => {
      set.delete(setVisible);
      if (set.size > 0) return;
      watchers.delete(target);
      lastSeen.delete(target);
      observer?.unobserve(target);
    };
  }, [ref, container]);
  return visible;
}
