// Who may do what over MQTT, as plain data: the broker's authorize hooks and the
// UI both read it (DESIGN.md "Security"). One topic matcher, lib/topics.ts.
import { filterWithin, topicMatches } from "../topics";

export const ROLES = ["viewer", "operator", "admin"] as const;
export type Role = (typeof ROLES)[number];

/**
 * What anonymous clients may publish to and subscribe to (config `auth.anonymousTopics`),
 * like the anonymous part of Mosquitto's acl_file (`topic write …` / `topic read …`).
 */
export type AnonymousTopics = { readonly publish: readonly string[]; readonly subscribe: readonly string[] };

/** Everything, as before the anonymous ACL existed. */
export const ALL_TOPICS: AnonymousTopics = { publish: ["#"], subscribe: ["#"] };

/** Who is on the other end of an MQTT connection. */
export type Principal =
  | { kind: "user"; username: string; role: Role; sessionId: string }
  /** `createdAt`: the account's, which tells it from one removed and made again under the same name (a new password). */
  | { kind: "device"; name: string; topics: readonly string[]; createdAt?: number }
  /** Anonymous, accepted only from loopback unless the config says otherwise (like Mosquitto 2). */
  | { kind: "anonymous"; topics: AnonymousTopics }
  /** The hub's own MQTT clients (the simulated home): not held to the anonymous ACL. */
  | { kind: "internal" };

/** Commands to switches: the only thing an operator's browser publishes. */
const COMMAND_TOPICS = ["home/+/+/set"];

// Admins change rules and alerts through the dashboard's route handlers, never over
// MQTT: hearth/… is the alert engine's alone, so no page can forge an alert state
// (issues 12 and 15; admins once had hearth/# here and nothing used it).
const PUBLISH: Record<Role, readonly string[]> = {
  viewer: [],
  operator: COMMAND_TOPICS,
  admin: COMMAND_TOPICS,
};

export function roleAtLeast(role: Role, least: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(least);
}

export function isRole(value: unknown): value is Role {
  return typeof value === "string" && (ROLES as readonly string[]).includes(value);
}

/**
 * `isDeviceCommand` tells the command topics of switches the hub knows from HA
 * discovery or the config file (`zigbee2mqtt/lamp/set`, `porch/relay/1`): switching
 * them is an operator's job too, wherever their topics live.
 */
export function mayPublish(principal: Principal, topic: string, isDeviceCommand: (topic: string) => boolean = () => false): boolean {
  switch (principal.kind) {
    case "internal":
      return true;
    case "anonymous":
      return principal.topics.publish.some((filter) => topicMatches(filter, topic));
    case "device":
      return principal.topics.some((filter) => topicMatches(filter, topic));
    case "user":
      return (
        PUBLISH[principal.role].some((filter) => topicMatches(filter, topic)) ||
        (roleAtLeast(principal.role, "operator") && isDeviceCommand(topic))
      );
  }
}

/**
 * Users see everything (viewer "sees everything, changes nothing"); a device sees
 * only inside its own topics, so it hears its `…/set` and nobody else's readings;
 * anonymous clients only within `auth.anonymousTopics.subscribe`.
 */
export function maySubscribe(principal: Principal, filter: string): boolean {
  switch (principal.kind) {
    case "user":
    case "internal":
      return true;
    case "anonymous":
      return principal.topics.subscribe.some((own) => filterWithin(filter, own));
    case "device":
      return principal.topics.some((own) => filterWithin(filter, own));
  }
}

