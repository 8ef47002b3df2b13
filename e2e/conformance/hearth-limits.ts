// The limits Hearth runs with in the conformance suite (engine and hub alike), for
// the cases that compare with them (Server Keep Alive).
export const HEARTH_LIMITS = { maxKeepAliveSeconds: 60 } as const;
