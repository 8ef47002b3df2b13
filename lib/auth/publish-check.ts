// Before the explorer sends a publish, the page checks it against the same rules
// the broker enforces (roles.ts): a publish the ACL refuses makes the broker close
// the page's connection (MQTT 3.1.1 has no other way to refuse), so the page says
// no first, with a code, instead of dropping its live view.
import { mayPublish, type Role } from "./roles";
import { checkTopicName, type TopicProblem } from "../topics";

export type PublishCheck = { ok: true } | { ok: false; code: "bad-topic"; problem: TopicProblem } | { ok: false; code: "not-allowed" };

export function checkUserPublish(role: Role, topic: string, isDeviceCommand: (topic: string) => boolean): PublishCheck {
  const name = checkTopicName(topic);
  if (!name.ok) {
    const { ok: _, ...problem } = name;
    return { ok: false, code: "bad-topic", problem };
  }
  return mayPublish({ kind: "user", username: "", role, sessionId: "" }, topic, isDeviceCommand) ? { ok: true } : { ok: false, code: "not-allowed" };
}
