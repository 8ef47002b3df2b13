import { RemoveButton } from "@/components/remove-button";
import { SettingsForm } from "@/components/settings-form";
import { getHub } from "@/lib/hub-link";
import { getT } from "@/lib/i18n/server";
import { addDevice, removeDevice } from "../actions";

export default async function DevicesPage() {
  const devices = getHub()?.accounts.listDevices() ?? [];
  const t = await getT();
  return (
    <>
      <h1 className="mb-2 text-2xl font-bold">{t("settings.devices.title")}</h1>
      <p className="mb-4 text-sm text-muted">{t("settings.devices.intro")}</p>
      {devices.length === 0 ? (
        <p className="mb-6 text-muted">{t("settings.devices.none")}</p>
      ) : (
        <ul className="mb-6 divide-y divide-line rounded-lg border border-line bg-surface">
          {devices.map((device) => (
            <li key={device.name} data-device-account={device.name} className="flex items-center justify-between gap-3 px-4 py-2">
              <span>
                <span className="font-medium">{device.name}</span>{" "}
                <code className="text-sm text-muted">{device.topics.join(", ")}</code>
              </span>
              <RemoveButton action={removeDevice} field="name" value={device.name} />
            </li>
          ))}
        </ul>
      )}
      <h2 className="mb-2 font-semibold">{t("settings.devices.addTitle")}</h2>
      <SettingsForm
        action={addDevice}
        submitLabel={t("settings.devices.add")}
        fields={[
          { name: "name", label: t("settings.devices.name"), type: "text", placeholder: "kitchen-sensor" },
          { name: "topics", label: t("settings.devices.topics"), type: "text", placeholder: "home/kitchen/#", required: false },
        ]}
      />
    </>
  );
}
