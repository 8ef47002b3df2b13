"use client";

import { useEffect, useRef, useState, type RefObject } from "react";

/** An element's width in CSS pixels, kept up to date; null until measured. */
export function useElementWidth<T extends HTMLElement = HTMLDivElement>(): [RefObject<T | null>, number | null] {
  const ref = useRef<T>(null);
  const [width, setWidth] = useState<number | null>(null);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const measure = () => setWidth(Math.round(el.getBoundingClientRect().width));
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    return () => observer.disconnect();
  }, []);
  return [ref, width];
}
