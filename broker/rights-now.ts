// Rights taken away take effect now (review-8 F3, F4; review-9 F3). Device accounts and
// people change outside the broker thread: the dashboard's Settings (the web thread) and
// `hearth device remove` (another process, or another machine when the accounts are on
// PostgreSQL), neither of which can reach the broker's connections. So:
// - the hub looks (startDeviceAccountWatch): every SWEEP_MS, and at once when the web thread
//   says a device account changed, it reads the device accounts and ends every session —
//   connected or kept — of an account that is gone or was made again since (there is no
//   device password reset: a new password is a new account). Polling, not a message from
//   the CLI: it holds for every writer of the accounts, SQLite or PostgreSQL, and for a
//   removal made while the hub was down; it costs one read of the devices table per sweep,
//   and only while a device account holds a session. People's changes already reach the hub
//   through HubApi.sessions (session-gate.ts).
// - a will is authorised again when it goes out (mqtt/will-rights.ts), for the principal as
//   it is now (createRightsNow).
import type { AccountStore, Device } from "../lib/auth/account-store";
import type { AnonymousTopics, Principal } from "../lib/auth/roles";
import type { AnonymousMqtt } from "../lib/config";
import type { Logger } from "../lib/log";
import { deviceOfOwner } from "./authenticate";
import type { Broker, SessionInfo } from "./mqtt/broker";
import type { BrokerHook } from "./mqtt/hooks";
import { RC } from "./mqtt/reason-codes";

/** As often as browser sessions are checked (session-gate.ts SESSION_SWEEP_MS). */
export const DEVICE_SWEEP_MS = 2_000;

type Accounts = Pick<AccountStore, "listDevices" | "liveSessionRole">;

/** The device account by name, as accounts compare names: case-insensitively. */
const findDevice = (devices: readonly Device[], name: string) => devices.find((d) => d.name.toLowerCase() === name.toLowerCase());

/**
 * Whether `device`'s rights are gone: its account is not in `devices`, or is another one
 * made under the same name since it connected (`createdAt` differs).
 */
export function deviceRevoked(device: { name: string; createdAt?: number }, devices: readonly Device[]): boolean {
  const account = findDevice(devices, device.name);
  return account === undefined || (device.createdAt !== undefined && device.createdAt !== account.createdAt);
}

/** The device a session belongs to: its connection's principal, else (restored at start) its owner. */
function deviceOf(session: Pick<SessionInfo<Principal>, "owner" | "principal">): { name: string; createdAt?: number } | null {
  if (session.principal?.kind === "device") return session.principal;
  const name = deviceOfOwner(session.owner);
  return name === null ? null : { name };
}

/** hooks.ts principalNow for the hub's principals. */
export function createRightsNow(opts: { accounts: Accounts; anonymous: AnonymousMqtt; anonymousTopics: AnonymousTopics }): BrokerHook<Principal> {
  const { accounts } = opts;
  /** The device accounts as last read, for when they cannot be read (below). */
  let lastDevices: readonly Device[] | null = null;
  /**
   * The device accounts now; while their database is away (PostgreSQL down), as last read, or
   * before any read the connection's own principal: a device that dies during an outage must
   * still say so (its will is its "offline"), and no removal can have happened there that the
   * hub could have seen. Restored sessions with no read to go by stay unvouched for (throws).
   */
  const devicesNow = async (principal: Principal | undefined): Promise<readonly Device[]> => {
    try {
      return (lastDevices = await accounts.listDevices());
    } catch (error) {
      if (lastDevices !== null) return lastDevices;
      if (principal?.kind === "device") return [{ name: principal.name, topics: [...principal.topics], createdAt: principal.createdAt ?? 0 }];
      throw error;
    }
  };
  return {
    async principalNow(owner, principal) {
      const device = deviceOf({ owner, principal });
      if (device !== null) {
        const devices = await devicesNow(principal);
        if (deviceRevoked(device, devices)) return null;
        const account = findDevice(devices, device.name)!;
        return { kind: "device", name: account.name, topics: account.topics, createdAt: account.createdAt };
      }
      if (principal?.kind === "user") {
        const role = await accounts.liveSessionRole(principal.sessionId);
        return role === null ? null : { ...principal, role };
      }
      if (principal?.kind === "internal" || (principal === undefined && owner === "internal")) return { kind: "internal" };
      if (principal?.kind === "anonymous" || (principal === undefined && owner === "anonymous")) {
        return opts.anonymous === "off" ? null : { kind: "anonymous", topics: opts.anonymousTopics };
      }
      // A person's will rides on the browser session that made it, which a restart does not
      // carry over (it is not stored): nobody can vouch for it. So is a session with no owner.
      return null;
    },
  };
}

export type DeviceAccountWatch = {
  /** Reads the accounts now (the web thread removed one); resolves when that read's sessions are ended. */
  check(): Promise<void>;
  stop(): void;
};

/**
 * Ends the sessions of removed device accounts (above). MQTT 5 connections hear DISCONNECT
 * 0x98 "Administrative action" (MQTT 5.0 §3.14.2.1: "The Connection is closed due to an
 * administrative action"), as a person's removal does (session-gate.ts); 0x8A Banned is a
 * CONNACK code only, and their next CONNECT is refused 0x86 anyway. 3.1.1 connections close.
 */
export function startDeviceAccountWatch(opts: {
  accounts: Pick<AccountStore, "listDevices">;
  broker: Pick<Broker<Principal>, "sessions" | "endSession">;
  log: Logger;
  sweepMs?: number;
}): DeviceAccountWatch {
  const { accounts, broker, log } = opts;
  /** While the accounts cannot be read, one log line, not one per sweep. */
  let failing = false;
  const sweep = async () => {
    if (!broker.sessions().some((s) => deviceOf(s) !== null)) return;
    let devices: Device[];
    try {
      devices = await accounts.listDevices();
      failing = false;
    } catch (error) {
      if (!failing) log.error("device account sweep failed; retrying", { code: "device-sweep-failed", error: (error as Error).message });
      failing = true;
      return;
    }
    // Read again after the await: sessions came and went meanwhile.
    for (const session of broker.sessions()) {
      const device = deviceOf(session);
      if (device === null || !deviceRevoked(device, devices)) continue;
      log.info("ending a removed device account's session", { code: "device-removed", client: session.clientId, device: device.name, connected: session.connected });
      broker.endSession(session.clientId, { reasonCode: RC.administrativeAction, message: "device account removed", code: "device-removed" });
    }
  };
  // One sweep at a time; a check asked for during one runs another after it, which reads the accounts anew.
  let running: Promise<void> | null = null;
  let again: Promise<void> | null = null;
  const check = (): Promise<void> => {
    if (running === null) return (running = sweep().finally(() => (running = null)));
    return (again ??= running.then(() => {
      again = null;
      return check();
    }));
  };
  const timer = setInterval(() => void check(), opts.sweepMs ?? DEVICE_SWEEP_MS);
  timer.unref();
  return { check, stop: () => clearInterval(timer) };
}
