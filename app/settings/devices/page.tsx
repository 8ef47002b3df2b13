import { RemoveButton } from "@/components/remove-button";
import { SettingsForm } from "@/components/settings-form";
import { getHub } from "@/lib/hub-registry";
import { addDevice, removeDevice } from "../actions";

export default function DevicesPage() {
  const devices = getHub()?.accounts.listDevices() ?? [];
  return (
    <>
      <h1 className="mb-2 text-2xl font-bold">Device accounts</h1>
      <p className="mb-4 text-sm text-muted">
        A device logs in to MQTT with its name and password, and may publish and subscribe only under its topics.
        Devices on this machine may also connect without an account.
      </p>
      {devices.length === 0 ? (
        <p className="mb-6 text-muted">No device accounts yet.</p>
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
      <h2 className="mb-2 font-semibold">Add a device account</h2>
      <SettingsForm
        action={addDevice}
        submitLabel="Add device"
        fields={[
          { name: "name", label: "Name", type: "text", placeholder: "kitchen-sensor" },
          { name: "topics", label: "Topics (default home/<name>/#)", type: "text", placeholder: "home/kitchen/#", required: false },
        ]}
      />
    </>
  );
}
