// A will is published after its connection ended: up to its delay later, when its session
// ends, or at the next start (restore.ts). By then the rights it was authorised with at
// CONNECT may be gone — a removed device account, a person demoted, logged out or whose
// password was reset (review-8 F4) — and the close that took them arms the will. So it is
// authorised again when it goes out, for its principal as it is now (hooks.ts
// principalNow), by the same authorizePublish hooks as any PUBLISH; refused, it is dropped
// with a log line (code will-refused). Without a principalNow hook nothing changes.
import type { Client } from "./client";
import type { Core } from "./core";
import type { ClientInfo, Refusal } from "./hooks";
import type { Session } from "./session";
import type { StoredWill } from "./store";

/** Calls `publish` once the will may still be published; otherwise logs why it is dropped. */
export function publishWillIfAllowed<P>(core: Core<P>, session: Session<Client<P>>, will: StoredWill, publish: () => void): void {
  const hook = core.rightsHook;
  if (hook === undefined) return publish();
  const { clientId, owner, protocolVersion } = session;
  const drop = (code: string, reason: string) => core.log.warn("will not published", { code, client: clientId, owner: owner ?? undefined, topic: will.topic, reason });
  hook.principalNow!(owner, session.principal as P | undefined).then(
    (principal) => {
      if (principal === null) return drop("will-refused", "its account or session has no rights any more");
      const client: ClientInfo<P> = { clientId, protocolVersion, principal, connectionId: 0, username: undefined, remoteAddress: undefined, req: undefined, close: () => {} };
      const refusal = authorizeWill(core, client, will);
      if (refusal) drop("will-refused", refusal.message);
      else if (core.closing) drop("will-not-published-shutdown", "the broker closed while the will's rights were checked");
      else publish();
    },
    // Fails closed: a will nobody can vouch for is not published.
    (error: Error) => drop("will-check-failed", `cannot check its rights: ${error.message}`),
  ).catch((error: Error) => core.log.error("a will could not be published", { code: "will-publish-failed", client: clientId, error: error.message }));
}

/** The authorizePublish hooks' answer for `will` as `client`'s: at CONNECT (handlers/connect.ts) and when it goes out. */
export function authorizeWill<P>(core: Core<P>, client: ClientInfo<P>, will: StoredWill): Refusal | null {
  for (const hook of core.publishAuthorizers) {
    const refusal = hook.authorizePublish!(client, { topic: will.topic, qos: will.qos, retain: will.retain, payloadBytes: will.payload.length });
    if (refusal) return refusal;
  }
  return null;
}
