// CONNECT → CONNACK (MQTT 3.1.1 §3.1-3.2, MQTT 5.0 §3.1-3.2): protocol checks, the
// client id (assigned when empty), the will, authentication by the hooks, the session
// (new, resumed or taken over), the client's MQTT 5 limits, keep alive, then CONNACK
// and whatever the session kept for the client.
import { isUtf8 } from "node:buffer";
import { randomUUID } from "node:crypto";
import type { IConnackPacket, IConnectPacket } from "mqtt-packet";
import { checkTopicName } from "../../../lib/topics";
import type { Client } from "../client";
import type { Core } from "../core";
import type { AuthResult } from "../hooks";
import { attachSession } from "../lifecycle";
import { reauthorizeSubscriptions } from "../resume-rights";
import { authorizeWill } from "../will-rights";
import { pump, resendInflight } from "../outgoing";
import { connackReturnCode311, NEVER_EXPIRES, RC } from "../reason-codes";
import type { StoredWill } from "../store";

/** Like aedes's maxClientsIdLength: ids are keys in memory and in the store. */
const MAX_CLIENT_ID_LENGTH = 128;

export async function handleConnect<P>(core: Core<P>, client: Client<P>, packet: IConnectPacket): Promise<void> {
  const version = packet.protocolVersion ?? 4;
  client.setProtocol(version);
  const refuse = (reasonCode: number, code: string, message: string) => refuseConnect(client, reasonCode, code, message);
  // [MQTT-3.1.2-1] "MQIsdp" is 3.1's protocol name, "MQTT" 3.1.1's and 5's.
  if ((version === 3) !== (packet.protocolId === "MQIsdp")) return refuse(RC.unsupportedProtocolVersion, "protocol-name", "protocol name and level do not match");
  const props = packet.properties ?? {};
  if (version === 5 && props.authenticationMethod !== undefined) {
    return refuse(RC.badAuthenticationMethod, "auth-method-unsupported", `authentication method ${props.authenticationMethod} is not supported`);
  }
  const cleanStart = packet.clean !== false;
  let clientId = packet.clientId;
  let assigned: string | undefined;
  if (clientId.length === 0) {
    // [MQTT-3.1.3-8] 3.1.1: an empty id needs clean session 1; [MQTT-3.1.3-6] MQTT 5: the server assigns one.
    if (version !== 5 && (!cleanStart || version === 3)) return refuse(RC.clientIdentifierNotValid, "empty-client-id", "an empty client id needs clean session");
    clientId = `hearth-${randomUUID()}`;
    if (version === 5) assigned = clientId;
  } else if (clientId.length > MAX_CLIENT_ID_LENGTH) {
    return refuse(RC.clientIdentifierNotValid, "client-id-too-long", `client id longer than ${MAX_CLIENT_ID_LENGTH}`);
  }
  const now = Date.now();
  let will: StoredWill | null = null;
  if (packet.will) {
    const check = checkTopicName(packet.will.topic);
    if (!check.ok) return refuse(RC.topicNameInvalid, "will-topic-invalid", `will topic: ${check.reason}`);
    will = fromConnectWill(packet.will, now);
    // MQTT 5.0 §3.1.3.2.3, §4.13: the server MAY check a will that says it is UTF-8 (Payload
    // Format Indicator 1) and refuse it with CONNACK 0x99 (a MAY: the spec numbers no
    // conformance statement for it). Hearth does, as it refuses such a PUBLISH (publish.ts),
    // so no subscriber is ever handed "text" that is not.
    if (will.properties.payloadFormatIndicator === true && !isUtf8(will.payload)) {
      return refuse(RC.payloadFormatInvalid, "will-payload-format-invalid", "will payload is not UTF-8, as its Payload Format Indicator says it is");
    }
  }
  client.clientId = clientId;
  client.username = packet.username;
  client.authenticating();

  const auth = await authenticate(core, client, packet);
  if (client.isClosed()) return; // timed out or dropped while the hooks decided
  if (!auth.ok) return refuse(auth.refusal.reasonCode, `refused:${auth.refusal.code}`, auth.refusal.message);
  client.principal = auth.principal;
  if (will) {
    const refusal = authorizeWill(core, client, will);
    if (refusal) return refuse(refusal.reasonCode, `refused:${refusal.code}`, `will: ${refusal.message}`);
  }
  if (core.closing) return refuse(RC.serverUnavailable, "server-shutting-down", "the broker is shutting down");
  const owner = core.ownerOf(auth.principal);
  const other = otherOwner(core, client, owner);
  if (other !== null && !core.ownerYields(other)) {
    return refuse(RC.clientIdentifierNotValid, "refused:session-owner-mismatch", "this client id's session belongs to another account");
  }
  if (other !== null) {
    // A device that connected anonymously now brings its account (README's advice): its old
    // session protected nothing, so it ends as by a clean start [MQTT-3.1.2-4], whatever
    // this CONNECT asks for the new one.
    core.log.info("a client id's session changes owner", { code: "session-owner-changed", client: client.clientId, owner: other, connecting: owner ?? undefined });
  }
  // Synchronous from here to client.connected(): an admitted connection always reaches onDisconnected.
  for (const hook of core.hooks) {
    const refusal = hook.admit?.(client);
    if (refusal) return refuse(refusal.reasonCode, `refused:${refusal.code}`, refusal.message);
  }

  if (version === 5) {
    client.sendQuota = props.receiveMaximum ?? 65535;
    client.maximumPacketSize = props.maximumPacketSize ?? Infinity;
    client.topicAliasMaximum = props.topicAliasMaximum ?? 0;
    client.problemInformation = props.requestProblemInformation !== false;
  }
  let keepAlive = packet.keepalive ?? 0;
  let serverKeepAlive: number | undefined;
  const maxKeepAlive = core.limits.maxKeepAliveSeconds;
  if (version === 5 && maxKeepAlive > 0 && (keepAlive === 0 || keepAlive > maxKeepAlive)) {
    // MQTT 5.0 §3.2.2.3.14: the client must use the Server Keep Alive instead of its own.
    keepAlive = serverKeepAlive = maxKeepAlive;
  }
  let expiry = version === 5 ? (props.sessionExpiryInterval ?? 0) : cleanStart ? 0 : NEVER_EXPIRES;
  let expiryTold: number | undefined;
  if (expiry > core.limits.maxSessionExpirySeconds) expiry = expiryTold = core.limits.maxSessionExpirySeconds;

  const sessionPresent = attachSession(core, client, cleanStart || other !== null, expiry, will, owner);
  if (sessionPresent) reauthorizeSubscriptions(core, client, client.session!);
  const connack: IConnackPacket = { cmd: "connack", sessionPresent };
  if (version === 5) {
    connack.reasonCode = RC.success;
    connack.properties = {
      receiveMaximum: core.limits.receiveMaximum,
      maximumPacketSize: client.maxPacketBytes,
      topicAliasMaximum: core.limits.topicAliasMaximum,
      wildcardSubscriptionAvailable: true,
      subscriptionIdentifiersAvailable: true,
      sharedSubscriptionAvailable: true,
      retainAvailable: true,
      ...(assigned !== undefined && { assignedClientIdentifier: assigned }),
      ...(serverKeepAlive !== undefined && { serverKeepAlive }),
      ...(expiryTold !== undefined && { sessionExpiryInterval: expiryTold }),
      ...(props.requestResponseInformation === true && responseInformation(client.clientId)),
    };
  } else connack.returnCode = 0;
  client.send(connack);
  client.connected(keepAlive);
  for (const hook of core.hooks) hook.onConnected?.(client);
  core.onClientEvent?.("new", clientId);
  const session = client.session!;
  resendInflight(core, client, session);
  pump(core, session);
}

/**
 * A session (connected or kept) made by another principal is neither resumed nor taken
 * over (review-8 F7): the CONNECT is refused, before the existing connection is closed
 * [MQTT-3.1.4-2 precedes -3], so the real device keeps its connection, its queue and its
 * subscriptions. 0x85 "Client Identifier not valid: … not allowed by the Server" (MQTT 5.0
 * §3.2.2.2); in 3.1.1 0x02 Identifier rejected, which [MQTT-3.1.3-9] prescribes for a client
 * id the server rejects. A fresh session instead would let any account end another device's
 * session, lose its queued messages and disconnect it, at will. The exception is an owner
 * that protects nothing (hooks.ts ownerYields: anonymous), whose session ends instead.
 * Returns the other owner, logged when it refuses; null when the id is free or this owner's.
 */
function otherOwner<P>(core: Core<P>, client: Client<P>, owner: string | null): string | null {
  const existing = core.sessions.get(client.clientId);
  if (existing === undefined || existing.owner === null || owner === null || existing.owner === owner) return null;
  if (core.ownerYields(existing.owner)) return existing.owner;
  core.log.warn("client id belongs to another account's session", {
    code: "session-owner-mismatch",
    client: client.clientId,
    owner: existing.owner,
    connecting: owner,
    address: client.remoteAddress,
    connected: existing.connection !== null,
  });
  return existing.owner;
}

/** [MQTT-3.2.2-5] a refused CONNECT gets CONNACK with the reason, then the connection closes. */
function refuseConnect<P>(client: Client<P>, reasonCode: number, code: string, message: string): void {
  if (client.protocolVersion === 5) {
    client.send({ cmd: "connack", sessionPresent: false, reasonCode, properties: { reasonString: message } });
  } else {
    client.send({ cmd: "connack", sessionPresent: false, returnCode: connackReturnCode311(reasonCode) });
  }
  client.disconnect(undefined, message, code);
}

async function authenticate<P>(core: Core<P>, client: Client<P>, packet: IConnectPacket): Promise<AuthResult<P>> {
  if (!core.authenticator) return { ok: true, principal: undefined as P };
  try {
    return await core.authenticator.authenticate!(client, { username: packet.username, password: packet.password });
  } catch (error) {
    core.log.error("authenticate hook failed", { code: "auth-error", client: client.clientId, error: (error as Error).message });
    return { ok: false, refusal: { code: "auth-error", reasonCode: RC.serverUnavailable, message: "authentication failed to run" } };
  }
}

/**
 * The will as stored. Its Message Expiry Interval counts from when it is published,
 * so it is kept as expiresAt - receivedAt (lifecycle.ts publishWill re-bases it).
 */
function fromConnectWill(w: NonNullable<IConnectPacket["will"]>, now: number): StoredWill {
  const { willDelayInterval, messageExpiryInterval, ...carried } = w.properties ?? {};
  return {
    topic: w.topic,
    payload: typeof w.payload === "string" ? Buffer.from(w.payload) : w.payload,
    qos: w.qos ?? 0,
    retain: w.retain ?? false,
    properties: carried,
    expiresAt: messageExpiryInterval === undefined ? null : now + messageExpiryInterval * 1000,
    receivedAt: now,
    delaySeconds: willDelayInterval ?? 0,
  };
}

/**
 * MQTT 5.0 §3.1.2.11.6, §3.2.2.3.15: asked for (Request Response Information = 1; never
 * when 0 [MQTT-3.1.2-28]), the server MAY return Response Information, the basis of a
 * Response Topic: `response/<client id>`, a topic of the client's own. Not for a client
 * id that cannot be a topic level (wildcards, "/", a leading "$"); the ACL still decides
 * who may publish and subscribe there.
 */
function responseInformation(clientId: string): { responseInformation: string } | null {
  if (clientId === "" || /[+#/\u0000]/.test(clientId) || clientId.startsWith("$")) return null;
  return { responseInformation: `response/${clientId}` };
}
