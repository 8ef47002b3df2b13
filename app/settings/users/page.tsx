import { RemoveButton } from "@/components/remove-button";
import { SettingsForm } from "@/components/settings-form";
import { MIN_PASSWORD_LENGTH } from "@/lib/auth/account-store";
import { ROLES } from "@/lib/auth/roles";
import { getHub } from "@/lib/hub-registry";
import { addUser, removeUser, setUserRole } from "../actions";

export default function UsersPage() {
  const users = getHub()?.accounts.listUsers() ?? [];
  return (
    <>
      <h1 className="mb-2 text-2xl font-bold">Users</h1>
      <p className="mb-4 text-sm text-muted">
        Viewers see everything and change nothing; operators also switch devices; admins also manage users and device
        accounts.
      </p>
      <ul className="mb-6 divide-y divide-line rounded-lg border border-line bg-surface">
        {users.map((user) => (
          <li key={user.username} data-user={user.username} className="flex flex-wrap items-center justify-between gap-3 px-4 py-2">
            <span className="font-medium">{user.username}</span>
            <span className="flex items-center gap-2">
              <form action={setUserRole} className="flex items-center gap-2">
                <input type="hidden" name="username" value={user.username} />
                <select name="role" defaultValue={user.role} aria-label={`Role of ${user.username}`} className="rounded-md border border-line bg-canvas px-2 py-1 text-sm">
                  {ROLES.map((r) => (
                    <option key={r}>{r}</option>
                  ))}
                </select>
                <button type="submit" className="rounded-md border border-line px-2 py-1 text-sm">
                  Save
                </button>
              </form>
              <RemoveButton action={removeUser} field="username" value={user.username} />
            </span>
          </li>
        ))}
      </ul>
      <h2 className="mb-2 font-semibold">Add a user</h2>
      <SettingsForm
        action={addUser}
        submitLabel="Add user"
        fields={[
          { name: "username", label: "Username", type: "text" },
          { name: "password", label: `Password (at least ${MIN_PASSWORD_LENGTH} characters)`, type: "password", autoComplete: "new-password" },
          { name: "role", label: "Role", type: "select", options: ROLES },
        ]}
      />
    </>
  );
}
