// Keeps a page's MQTT subscriptions in step with its live store's scopes (lib/live-scope.ts,
// issue 13): what the components mounted now declared, and, when the page widens back
// to rooms it did not follow, their newest stored readings. The browser edge of
// live-scope.ts; components/mqtt-provider.tsx owns the client and calls in here.
//
// The page's fixed subscriptions (discovery, alerts) and the store's go in SUBSCRIBEs of
// their own, and a filter the client would refuse is never sent: mqtt.js refuses a whole
// subscribe call for one invalid filter, so a room page's bad filter once took alerts
// and discovery down with it while the page said "live" (review-7 F6). `ready()` is
// false while any filter the page wants is not granted, so the page never says "live"
// then.
import type { MqttClient } from "mqtt";
import { widens } from "./live-scope";
import type { LiveStore } from "./live-store";
import type { Reading } from "./readings";
import { checkTopicFilter } from "./topics";

type Client = Pick<MqttClient, "connected" | "subscribe" | "unsubscribe">;

/** The newest stored reading of every topic into the store, which keeps whichever of two is newer. */
export async function catchUp(store: LiveStore): Promise<void> {
  try {
    const response = await fetch("/api/history/latest", { cache: "no-store" });
    if (response.ok) store.seed(((await response.json()) as { readings: Reading[] }).readings);
  } catch {
    // Unreachable hub: the live readings still come, only later.
  }
}

export type SubscriptionSync = {
  /** After a CONNACK of a clean session (no subscriptions): subscribes `base` and the store's, anew. */
  connect(base: readonly string[]): void;
  /** Subscribes what the store wants now and the client lacks, then unsubscribes what it no longer wants. */
  sync(): void;
  /** The SUBSCRIBEs of the last connect are answered, and no filter the page wants now was refused. */
  ready(): boolean;
};

export type SubscriptionSyncOptions = {
  isDisposed: () => boolean;
  /** `ready()` may have changed. */
  onChange: () => void;
  warn?: (message: string) => void;
};

/** SUBACK return codes of 0x80 and up are refusals (MQTT 3.1.1 §3.9.3, MQTT 5 §3.9.3). */
const REFUSED = 0x80;

export function createSubscriptionSync(client: Client, store: LiveStore, options: SubscriptionSyncOptions): SubscriptionSync {
  const { isDisposed, onChange } = options;
  const warn = options.warn ?? ((message: string) => console.warn(`hearth: ${message}`));
  /**
   * The store's subscriptions as subscribed now: the home topics the page shows (a room
   * page its room, lib/live-scope.ts) and device topics beyond them (zigbee2mqtt/…).
   */
  const extra = new Set<string>();
  /** Filters wanted now that the client refused or the hub did not grant. */
  const refused = new Set<string>();
  /**
   * The last connect's SUBSCRIBEs not answered yet. "Live" waits for them: between CONNACK
   * and SUBACK a reading would reach the hub but not this page. A later scope change does
   * not wait (its old filters stay until the new ones are granted), so navigating never
   * flickers the page's status.
   */
  let outstanding = 0;
  /** Bumped by every connect: a SUBACK of an earlier connection says nothing about this one. */
  let generation = 0;

  /** Sends `filters` in one SUBSCRIBE; those the client would refuse are refused here, alone. */
  function subscribe(filters: readonly string[], atConnect: boolean, onGranted?: () => void): void {
    const bad = filters.filter((f) => !checkTopicFilter(f).ok);
    const good = filters.filter((f) => checkTopicFilter(f).ok);
    for (const f of bad) refused.add(f);
    if (bad.length > 0) warn(`not subscribing to invalid topic filter ${bad.join(", ")}`);
    if (good.length === 0) return;
    const sentIn = generation;
    if (atConnect) outstanding++;
    client.subscribe(good, { qos: 0 }, (error, _subs, packet) => {
      if (isDisposed() || sentIn !== generation) return;
      if (atConnect) outstanding--;
      // A refused filter has its SUBACK code; an error without a SUBACK (the connection went) refuses them all.
      const codes = packet && "granted" in packet ? packet.granted : undefined;
      const notGranted = error ? good.filter((_, i) => typeof codes?.[i] !== "number" || (codes[i] as number) >= REFUSED) : [];
      for (const f of notGranted) refused.add(f);
      if (error) warn(`subscribing to ${notGranted.join(", ")} failed: ${error.message}`);
      else onGranted?.();
      onChange();
    });
  }

  function connect(base: readonly string[]): void {
    generation++;
    outstanding = 0;
    refused.clear();
    extra.clear();
    for (const t of store.getSubscriptions()) extra.add(t);
    subscribe(base, true);
    subscribe([...extra], true);
    onChange();
  }

  function sync(): void {
    if (isDisposed() || !client.connected) return;
    const wanted = new Set(store.getSubscriptions());
    const add = [...wanted].filter((t) => !extra.has(t));
    const remove = [...extra].filter((t) => !wanted.has(t));
    const widened = widens([...extra], add);
    for (const t of add) extra.add(t);
    for (const t of remove) extra.delete(t);
    // A filter the page no longer wants no longer keeps it from being live.
    const unrefused = remove.filter((t) => refused.delete(t));
    // New filters before old ones go: the hub sends a reading matching both once
    // (router.ts), so narrowing or widening the page's scope loses nothing in between.
    // Rooms this page did not follow while it showed one: their newest stored values, once granted.
    if (add.length > 0) subscribe(add, false, widened ? () => void catchUp(store) : undefined);
    const sent = remove.filter((t) => checkTopicFilter(t).ok);
    if (sent.length > 0) client.unsubscribe(sent);
    if (add.length > 0 || unrefused.length > 0) onChange();
  }

  return { connect, sync, ready: () => outstanding === 0 && refused.size === 0 };
}
