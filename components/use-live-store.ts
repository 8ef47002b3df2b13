import { useContext } from "react";
import { LiveContext, type LiveContextValue } from "@/components/mqtt-provider";

/** The live store and `publish` of the nearest MqttProvider. */
export function useLiveStore(): LiveContextValue {
  const value = useContext(LiveContext);
  if (!value) throw new Error("useLiveStore must be used inside <MqttProvider>");
  return value;
}
