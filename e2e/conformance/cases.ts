// The conformance table, in the order it runs: MQTT 5, then 3.1.1, then the
// clients people and devices use. Plain data; e2e/conformance.spec.ts runs it.
import { BOUNDED_CASES } from "./cases-bounded";
import type { ConformanceCase } from "./case";
import { CLIENT_CASES } from "./cases-clients";
import { V5_ACK_CASES } from "./cases-v5-acks";
import { V5_FLOW_CASES } from "./cases-v5-flow";
import { V5_SUBSCRIPTION_CASES } from "./cases-v5-subscriptions";
import { V5_SESSION_CASES } from "./cases-v5-session";
import { V311_CASES } from "./cases-v311";

export const CASES: ConformanceCase[] = [...V5_SESSION_CASES, ...V5_FLOW_CASES, ...V5_ACK_CASES, ...V5_SUBSCRIPTION_CASES, ...V311_CASES, ...BOUNDED_CASES, ...CLIENT_CASES];
