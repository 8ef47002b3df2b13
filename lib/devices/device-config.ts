// The config file's `devices` section (issue 5): names, rooms and icons for devices
// whose topics say little, and whole devices for topics outside Hearth's convention.
// Browser-safe (no node imports): the page receives these entries from the hub.
import { z } from "zod";
import { checkTopicName } from "../topics";
import { parseTemplate } from "./value-template";

const topic = z.string().superRefine((t, ctx) => {
  const check = checkTopicName(t);
  if (!check.ok) ctx.addIssue({ code: "custom", message: check.reason });
});

/** A room key, as in `home/<room>/…`, or a discovered area's in any script (`거실`, registry.ts roomKeyOf). */
const room = z.string().regex(/^[\p{L}\p{N}][\p{L}\p{N}_\-.]{0,63}$/u, "must be a room name like living_room or 거실");

export const deviceConfigSchema = z.strictObject({
  /**
   * Which device: a convention key (`living_room/lamp` for `home/living_room/lamp/…`),
   * a discovered entity's unique_id or discovery id (`switch/node/object`), or a new
   * id for a device defined here by its topics.
   */
  id: z.string().min(1).max(256),
  name: z.string().trim().min(1).max(64).optional(),
  room: room.optional(),
  /** An emoji or a short symbol shown before the name. */
  icon: z.string().min(1).max(8).optional(),
  kind: z.enum(["switch", "sensor", "binary_sensor"]).optional(),
  stateTopic: topic.optional(),
  commandTopic: topic.optional(),
  availabilityTopic: topic.optional(),
  payloadOn: z.string().min(1).max(64).optional(),
  payloadOff: z.string().min(1).max(64).optional(),
  unit: z.string().max(16).optional(),
  /**
   * How to read the state from a JSON payload, as in Home Assistant: Tasmota's
   * `tele/<t>/SENSOR` {"ENERGY":{"Power":12}} is `{{ value_json.ENERGY.Power }}` (review-10 F2).
   */
  valueTemplate: z
    .string()
    .max(512)
    .superRefine((source, ctx) => {
      const parsed = parseTemplate(source);
      if (!parsed.ok) ctx.addIssue({ code: "custom", message: `Hearth does not understand ${parsed.notUnderstood}` });
    })
    .optional(),
  /**
   * true shows (and records) a discovered entity its publisher announced with
   * `enabled_by_default: false`; false hides any device.
   */
  enabled: z.boolean().optional(),
  /** How long a command may go unconfirmed before the toggle reverts. */
  commandTimeoutMs: z.number().int().min(500).max(120_000).optional(),
});

export type DeviceConfig = z.infer<typeof deviceConfigSchema>;

export const devicesConfigSchema = z
  .array(deviceConfigSchema)
  .max(1000)
  .superRefine((devices, ctx) => {
    const seen = new Set<string>();
    devices.forEach((device, index) => {
      if (seen.has(device.id)) ctx.addIssue({ code: "custom", path: [index, "id"], message: `${device.id} is listed twice` });
      seen.add(device.id);
      if (device.kind === "sensor" || device.kind === "binary_sensor") {
        if (!device.stateTopic) ctx.addIssue({ code: "custom", path: [index, "stateTopic"], message: `a ${device.kind} needs one` });
      }
    });
  });
