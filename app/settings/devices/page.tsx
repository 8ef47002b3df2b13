import { ConfirmRemove } from "@/components/confirm-remove";
import { DeviceAccountForm } from "@/components/device-account-form";
import { TimeAgo } from "@/components/time-ago";
import type { DevicePresence } from "@/lib/auth/device-presence";
import { getHub } from "@/lib/hub-link";
import { getT } from "@/lib/i18n/server";
import type { Translate } from "@/lib/i18n/translate";
import { removeDevice } from "../actions";

/** Connected now, or when it was last seen; the hub knows only since it started. */
function Presence({ presence, t }: { presence: DevicePresence | null; t: Translate }) {
  if (presence?.connected) {
    return (
      <span data-testid="presence" data-connected="true" className="text-sm font-medium text-ok">
        ● {t("settings.devices.connected")}
      </span>
    );
  }
  return (
    <span data-testid="presence" data-connected="false" className="text-sm text-muted">
      {presence ? (
        <>
          {t("settings.devices.lastSeen")} <TimeAgo at={presence.lastSeen} />
        </>
      ) : (
        t("settings.devices.notSeen")
      )}
    </span>
  );
}

function UpstreamDevices({ server, t }: { server: string; t: Translate }) {
  return (
    <>
      <h1 className="mb-2 text-2xl font-bold">{t("settings.devices.title")}</h1>
      <p data-testid="upstream-devices" className="mb-4 max-w-prose">
        {t("settings.devices.upstream", { server })}
      </p>
    </>
  );
}

export default async function DevicesPage() {
  const hub = getHub();
  // With HEARTH_MQTT_URL, devices log in to that broker: a form here would make accounts nobody checks (issue 14).
  if (hub?.upstreamServer) return <UpstreamDevices server={hub.upstreamServer} t={await getT()} />;
  const devices = (await hub?.accounts.listDevices()) ?? [];
  // One question to the hub's thread for the whole list; a hub that cannot answer shows "not seen".
  const [presence, t] = await Promise.all([
    hub?.deviceAccounts.presence(devices.map((d) => d.name)).catch(() => null) ?? null,
    getT(),
  ]);
  return (
    <>
      <h1 className="mb-2 text-2xl font-bold">{t("settings.devices.title")}</h1>
      <p className="mb-4 text-sm text-muted">{t("settings.devices.intro")}</p>
      {devices.length === 0 ? (
        <p className="mb-6 text-muted">{t("settings.devices.none")}</p>
      ) : (
        <ul className="mb-6 divide-y divide-line rounded-lg border border-line bg-surface">
          {devices.map((device, i) => (
            <li key={device.name} data-device-account={device.name} className="flex flex-wrap items-center justify-between gap-3 px-4 py-2">
              <span className="flex flex-col">
                <span>
                  <span className="font-medium">{device.name}</span> <code className="text-sm text-muted">{device.topics.join(", ")}</code>
                </span>
                <Presence presence={presence?.[i] ?? null} t={t} />
              </span>
              <ConfirmRemove action={removeDevice} field="name" value={device.name} />
            </li>
          ))}
        </ul>
      )}
      <h2 className="mb-2 font-semibold">{t("settings.devices.addTitle")}</h2>
      <DeviceAccountForm />
    </>
  );
}
