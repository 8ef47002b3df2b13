// What a switch does with a command on its …/set topic (DESIGN.md "Topics"): device
// logic, shared by the simulated home's switches and its Zigbee2MQTT-style plug.

/** ON, OFF or TOGGLE applied to a switch's state; anything else is not a command. */
export function applySwitchCommand(current: "ON" | "OFF", command: string): "ON" | "OFF" | null {
  const c = command.trim().toUpperCase();
  if (c === "ON" || c === "OFF") return c;
  if (c === "TOGGLE") return current === "ON" ? "OFF" : "ON";
  return null;
}
