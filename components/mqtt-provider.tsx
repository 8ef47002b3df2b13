"use client";

// The page's one MQTT connection. It feeds every message into the live store and
// keeps the store's connection state honest; components never see the client.
// `mqtt` resolves to its browser build (dist/mqtt.esm.js) through the package's
// "browser" export condition, which Next applies to client bundles.
import mqtt, { type MqttClient } from "mqtt";
import { createContext, useEffect, useRef, useState, type ReactNode } from "react";
import { createLiveAlertStore, type LiveAlertStore } from "@/lib/alert-store";
import { ALERTS_PREFIX } from "@/lib/alerts/topic-key";
import type { AlertView } from "@/lib/alerts/view";
import { BASE_SUBSCRIPTIONS, createLiveStore, type LiveStore } from "@/lib/live-store";
import { createSubscriptionSync } from "@/lib/live-subscriptions";
import type { DeviceConfig } from "@/lib/devices/device-config";
import type { LastState } from "@/lib/devices/last-states";
import { splittingWebSocket } from "@/lib/mqtt-publish-splitter";
import type { Reading } from "@/lib/readings";
import { useUser } from "@/components/user-context";

/** Publishes at QoS 1; resolves when the hub has the message, rejects when not connected. */
/** QoS 1; `retain` for the explorer's publish form (issue 15). */
export type Publish = (topic: string, payload: string, options?: { retain?: boolean }) => Promise<void>;

export type LiveContextValue = { store: LiveStore; publish: Publish; alerts: LiveAlertStore };

export const LiveContext = createContext<LiveContextValue | null>(null);

const FIRST_RETRY_MS = 1000;
const MAX_RETRY_MS = 10_000;
/** Retrying longer than this without success is "offline", though retries go on. */
const OFFLINE_AFTER_MS = 30_000;
/** mqtt.js waits 30 s for a CONNACK by default; a hub that does not answer in 10 s is down. */
const CONNECT_TIMEOUT_MS = 10_000;

/**
 * The hub closes the live connection when the login session ends (logout, expiry)
 * or the user's role changes: then the page goes to the login page, or reloads to
 * show what the new role may do, instead of retrying for ever.
 */
async function followSession(role: string | undefined): Promise<void> {
  try {
    const response = await fetch("/api/session", { cache: "no-store" });
    // A logout may have navigated to the login page while this was asked: no "next=/login" then.
    if (response.status === 401) {
      if (location.pathname !== "/login") location.assign(`/login?next=${encodeURIComponent(location.pathname)}`);
    }
    else if (response.ok && role !== undefined && (await response.json()).role !== role) location.reload();
  } catch {
    // The hub is unreachable: a network problem, which the retries handle.
  }
}

function brokerUrl(): string {
  const protocol = location.protocol === "https:" ? "wss:" : "ws:";
  return `${protocol}//${location.host}/mqtt`;
}

/** crypto.randomUUID exists only in secure contexts; a tablet on http://hub.lan is not one. */
function randomClientId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(6));
  // 11 + 12 characters: within MQTT 3.1.1's 23-character client id that every broker accepts.
  return `hearth-web-${Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")}`;
}

/** HA discovery and every alert state the hub publishes (issue 4), whatever the page shows. */
const SUBSCRIPTIONS = [...BASE_SUBSCRIPTIONS, `${ALERTS_PREFIX}/#`];

export function MqttProvider({
  initialReadings,
  initialAlerts = [],
  deviceConfig = [],
  initialStates = [],
  children,
}: {
  initialReadings: Reading[];
  initialAlerts?: AlertView[];
  /** The config file's devices section: part of the new store, so no page writes it while rendering. */
  deviceConfig?: DeviceConfig[];
  /** What the hub last heard from devices that do not retain their state (Zigbee2MQTT, Tasmota; review-10 F1). */
  initialStates?: LastState[];
  children: ReactNode;
}) {
  const clientRef = useRef<MqttClient | null>(null);
  const user = useUser();
  const roleRef = useRef(user?.role);
  roleRef.current = user?.role;
  const [value] = useState<LiveContextValue>(() => {
    const store = createLiveStore();
    // Seeded before the first render, so the server and the browser render the same readings.
    store.seed(initialReadings);
    store.setDeviceConfig(deviceConfig);
    store.seedStates(initialStates);
    const alerts = createLiveAlertStore();
    alerts.seed(initialAlerts);
    const publish: Publish = async (topic, payload, options) => {
      const client = clientRef.current;
      // Nothing is queued while disconnected: a toggle must not fire minutes later.
      if (!client?.connected) throw new Error("not connected to the hub");
      await client.publishAsync(topic, payload, { qos: 1, retain: options?.retain ?? false });
    };
    return { store, publish, alerts };
  });

  useEffect(() => {
    const { store, alerts } = value;
    const deliver = (topic: string, payload: Uint8Array, retained: boolean) => {
      if (topic.startsWith(`${ALERTS_PREFIX}/`)) alerts.ingest(topic, payload, { retained });
      else store.ingest(topic, payload, { retained });
    };
    const client = mqtt.connect(brokerUrl(), {
      clientId: randomClientId(),
      // Readings skip mqtt.js's stream machinery (lib/mqtt-publish-splitter.ts), which
      // reads MQTT 3.1.1 packets: the protocol is pinned here, where the client is made.
      protocolVersion: 4,
      createWebsocket: (url: string, protocols: string[]) => splittingWebSocket(url, protocols, deliver),
      clean: true,
      keepalive: 30,
      reconnectPeriod: FIRST_RETRY_MS,
      connectTimeout: CONNECT_TIMEOUT_MS,
      // Subscribing is done on every connect below; mqtt.js's own resubscribe would double it.
      resubscribe: false,
      queueQoSZero: false,
    });
    clientRef.current = client;

    let disposed = false;
    let attempt = 0;
    /** An attempt is under way (from `reconnect` until `connect` or `close`). */
    let attempting = true;
    let retryingSince: number | null = null;
    let offlineTimer: ReturnType<typeof setTimeout> | undefined;
    const subscriptions = createSubscriptionSync(client, store, { isDisposed: () => disposed, onChange: () => report() });
    // A navigation releases the old page's scope and declares the new one's in one commit:
    // synced once after it, a room page to a reading's page never widens to home/# between.
    let syncQueued: ReturnType<typeof setTimeout> | undefined;
    const stopSyncing = store.subscribeSubscriptions(() => {
      clearTimeout(syncQueued);
      syncQueued = setTimeout(subscriptions.sync, 0);
    });

    const report = () => {
      if (disposed) return;
      // The browser saying it has no network wins, even over a socket not yet known to be dead.
      if (client.connected && subscriptions.ready() && navigator.onLine) {
        store.setConnection("connected");
        return;
      }
      const retryingFor = retryingSince === null ? 0 : Date.now() - retryingSince;
      if (!navigator.onLine || retryingFor >= OFFLINE_AFTER_MS) store.setConnection("offline", attempt);
      else store.setConnection(retryingSince === null ? "connecting" : "reconnecting", attempt);
    };

    /** Skips the backoff wait; an attempt already under way is left to finish. */
    const reconnectNow = () => {
      if (disposed || client.connected || attempting) return;
      client.reconnect();
    };

    client.on("connect", () => {
      attempting = false;
      attempt = 0;
      retryingSince = null;
      clearTimeout(offlineTimer);
      client.options.reconnectPeriod = FIRST_RETRY_MS;
      // A clean session starts with no subscriptions: the page's are asked for anew.
      subscriptions.connect(SUBSCRIPTIONS);
      report();
    });
    // `reconnect` is emitted as each retry starts. mqtt.js retries at a fixed
    // reconnectPeriod, read when it arms the next timer after this attempt fails,
    // so setting it here gives a doubling backoff: 1 s, 2 s, 4 s, 8 s, 10 s, 10 s, …
    client.on("reconnect", () => {
      attempting = true;
      attempt += 1;
      client.options.reconnectPeriod = Math.min(FIRST_RETRY_MS * 2 ** attempt, MAX_RETRY_MS);
      report();
    });
    // A lost connection and a failed attempt both end in `close`.
    client.on("close", () => {
      if (disposed) return;
      attempting = false;
      void followSession(roleRef.current);
      if (retryingSince === null) {
        retryingSince = Date.now();
        offlineTimer = setTimeout(report, OFFLINE_AFTER_MS);
      }
      report();
    });
    // Only what the splitter passes on: a QoS 1 or 2 publish, which no subscription here asks for.
    client.on("message", (topic, payload, packet) => deliver(topic, payload, packet.retain));
    // An EventEmitter without an `error` listener throws; these are already retried.
    client.on("error", (error) => {
      if (!disposed) console.warn(`hearth: MQTT connection error: ${error.message}`);
    });

    const onOnline = () => {
      reconnectNow();
      report();
    };
    const onVisible = () => {
      if (document.visibilityState === "visible") reconnectNow();
    };
    window.addEventListener("online", onOnline);
    window.addEventListener("offline", report);
    document.addEventListener("visibilitychange", onVisible);
    report();

    return () => {
      disposed = true;
      stopSyncing();
      clearTimeout(syncQueued);
      clearTimeout(offlineTimer);
      window.removeEventListener("online", onOnline);
      window.removeEventListener("offline", report);
      document.removeEventListener("visibilitychange", onVisible);
      clientRef.current = null;
      client.end(true);
    };
  }, [value]);

  return <LiveContext.Provider value={value}>{children}</LiveContext.Provider>;
}
