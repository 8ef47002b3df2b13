// What the hub's connection to an upstream broker is doing, as plain data: the
// dashboard shows it ("broker unreachable since 14:05"), the log says it with a
// stable code, and the retry waits grow by this backoff. Pure; upstream-bus.ts feeds
// it the client's events.

export type UpstreamState = "connecting" | "connected" | "unreachable" | "refused";

export type UpstreamFailureCode =
  /** CONNACK 0x86 / 0x87 (3.1.1: 4 / 5): the broker does not take Hearth's username or password. */
  | "upstream-auth-failed"
  /** Any other refusing CONNACK (server unavailable, client id not valid, …). */
  | "upstream-refused"
  /** SUBACK 0x80 for `#`: the broker's ACL does not let Hearth's account read. */
  | "upstream-subscribe-refused"
  /** The broker's certificate is not trusted, or TLS failed. */
  | "upstream-tls-failed"
  /** No answer: refused port, unknown host, timeout. */
  | "upstream-unreachable"
  /** A working connection went away (broker stopped, network, taken over). */
  | "upstream-lost";

export type UpstreamStatus = {
  state: UpstreamState;
  /** When this state began: retries in the same state keep it, so "since 14:05" stays 14:05. */
  since: number;
  code: UpstreamFailureCode | null;
  /** What a person reads, naming the setting to change where there is one. */
  message: string | null;
  /** The broker this state is about, without credentials. */
  server: string;
  /** Failed attempts since the last connection. */
  attempt: number;
};

export type Failure = { code: UpstreamFailureCode; state: "unreachable" | "refused"; message: string };

const FIRST_RETRY_MS = 1_000;
const MAX_RETRY_MS = 30_000;

/** 1 s, 2 s, 4 s, … 30 s: a broker that is down is not hammered, one that returns is found soon. */
export function retryDelay(attempt: number): number {
  return Math.min(FIRST_RETRY_MS * 2 ** Math.max(0, attempt - 1), MAX_RETRY_MS);
}

const AUTH_CODES = new Set([0x86, 0x87]);
const AUTH_CODES_311 = new Set([4, 5]);
const TLS_CODE = /^(ERR_TLS|ERR_SSL|CERT_|DEPTH_ZERO|SELF_SIGNED|UNABLE_TO_(VERIFY|GET)|ERR_OSSL)/;

/** An mqtt.js or socket error as a code and the words that say what to do. */
export function classifyFailure(error: { message: string; code?: string | number }, protocolVersion: 4 | 5): Failure {
  const { code } = error;
  if (typeof code === "number") {
    const auth = protocolVersion === 5 ? AUTH_CODES.has(code) : AUTH_CODES_311.has(code);
    if (auth) {
      return {
        code: "upstream-auth-failed",
        state: "refused",
        message: `the broker refused Hearth's login (${error.message}); check HEARTH_MQTT_USERNAME and HEARTH_MQTT_PASSWORD`,
      };
    }
    return { code: "upstream-refused", state: "refused", message: `the broker refused the connection (${error.message})` };
  }
  if (typeof code === "string" && TLS_CODE.test(code)) {
    return {
      code: "upstream-tls-failed",
      state: "refused",
      message: `TLS with the broker failed (${code}: ${error.message}); HEARTH_MQTT_CA names the CA that signed its certificate`,
    };
  }
  return { code: "upstream-unreachable", state: "unreachable", message: `the broker cannot be reached (${error.message})` };
}

export function initialStatus(server: string, now: number): UpstreamStatus {
  return { state: "connecting", since: now, code: null, message: null, server, attempt: 0 };
}

export function connected(server: string, now: number): UpstreamStatus {
  return { state: "connected", since: now, code: null, message: null, server, attempt: 0 };
}

/** A failed attempt or a lost connection; `since` is when the failures began, kept across retries. */
export function failed(previous: UpstreamStatus, failure: Failure, server: string, now: number): UpstreamStatus {
  const failing = previous.state === "unreachable" || previous.state === "refused";
  return {
    state: failure.state,
    since: failing ? previous.since : now,
    code: failure.code,
    message: failure.message,
    server,
    attempt: previous.attempt + 1,
  };
}

/** The connection closed: the error seen on the way (if any) says why; none means the broker went away. */
export function closedFailure(lastError: Failure | null, wasConnected: boolean): Failure {
  if (lastError !== null) return wasConnected && lastError.code === "upstream-unreachable" ? { ...lastError, code: "upstream-lost" } : lastError;
  return wasConnected
    ? { code: "upstream-lost", state: "unreachable", message: "the broker closed Hearth's connection" }
    : { code: "upstream-unreachable", state: "unreachable", message: "the broker closed the connection before accepting it" };
}
