import { useCallback, useSyncExternalStore } from "react";
import type { DeviceSnapshot } from "@/lib/devices/live-registry";
import { useLiveStore } from "@/components/use-live-store";

/** One device's state and availability, by `deviceKey(room, device)`. */
export function useDevice(key: string): DeviceSnapshot | undefined {
  const { store } = useLiveStore();
  const subscribe = useCallback((listener: () => void) => store.subscribeDevice(key, listener), [store, key]);
  const get = () => store.getDevice(key);
  return useSyncExternalStore(subscribe, get, get);
}
