"use client";

import { useEffect, useRef, useState, type RefObject } from "react";

type Size = { width: number; height: number };

/** An element's size in CSS pixels, kept up to date; null until measured. */
export function useElementSize<T extends HTMLElement = HTMLDivElement>(): [RefObject<T | null>, Size | null] {
  const ref = useRef<T>(null);
  const [size, setSize] = useState<Size | null>(null);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const measure = () => {
      const box = el.getBoundingClientRect();
      const next = { width: Math.round(box.width), height: Math.round(box.height) };
      setSize((last) => (last && last.width === next.width && last.height === next.height ? last : next));
    };
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    return () => observer.disconnect();
  }, []);
  return [ref, size];
}

/** An element's width in CSS pixels, kept up to date; null until measured. */
export function useElementWidth<T extends HTMLElement = HTMLDivElement>(): [RefObject<T | null>, number | null] {
  const [ref, size] = useElementSize<T>();
  return [ref, size?.width ?? null];
}
