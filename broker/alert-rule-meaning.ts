// Review-17 F4: since alerts judge the reading history keeps (a converting sensor's, in its
// unit: `home/garage/power` "1500" W judged as 1.5 kW) and OpenMQTTGateway's codes carry no
// reading at all, a threshold rule written before may mean something else now: "power above
// 2000" never fires again. Nothing fails, so each such rule is said once in the log, at
// start and when a discovered device's routes change, naming the topic and the unit judged.
import type { Rule, ThresholdRule } from "../lib/alerts/rule";
import type { Logger } from "../lib/log";
import { isGatewayCode, topicLevels, topicMatches } from "../lib/topics";
import type { HubDeviceRegistry } from "./device-registry";

export const ALERT_RULE_CONVERTED = "alert-rule-converted";
export const ALERT_RULE_NO_READING = "alert-rule-no-reading";

export type RuleMeanings = { check(): void };

export function watchRuleMeanings(opts: {
  rules: () => readonly Rule[];
  devices: Pick<HubDeviceRegistry, "converted" | "onRoutesChanged">;
  log: Logger;
}): RuleMeanings {
  const { log } = opts;
  /** What was said, by rule, topic and unit: said again only when one of them changes. */
  const said = new Set<string>();
  const check = () => {
    const rules = opts.rules().filter((rule): rule is ThresholdRule => rule.kind === "threshold");
    if (rules.length === 0) return;
    const converted = opts.devices.converted();
    for (const rule of rules) {
      for (const [topic, unit] of converted) {
        if (!topicMatches(rule.filter, topic)) continue;
        const key = `${rule.id}\0${topic}\0${unit}`;
        if (said.has(key)) continue;
        said.add(key);
        log.warn("alert rule judges a discovered sensor's converted reading", {
          code: ALERT_RULE_CONVERTED,
          rule: rule.id,
          topic,
          unit,
          threshold: rule.threshold,
          meaning: `the threshold is compared with the converted value in ${unit || "the sensor's unit"}, as the chart shows it, not with the payload's number`,
        });
      }
      const last = topicLevels(rule.filter).at(-1) ?? "";
      const key = `${rule.id}\0gateway`;
      if (rule.filter.startsWith("home/") && isGatewayCode(last) && !said.has(key)) {
        said.add(key);
        log.warn("alert rule is on OpenMQTTGateway code topics, which carry no reading", {
          code: ALERT_RULE_NO_READING,
          rule: rule.id,
          filter: rule.filter,
          meaning: "a radio, infrared or serial code is not a measurement: the threshold is never compared; a silence rule still sees the messages",
        });
      }
    }
  };
  opts.devices.onRoutesChanged(check);
  check();
  return { check };
}
