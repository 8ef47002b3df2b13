// MQTT 5 reason codes (MQTT 5.0 §2.4): the ones policy hooks refuse with (hooks.ts)
// and the ones the broker itself sends, and what a 3.1.1 client can be told instead.
import { ReasonCode } from "./hooks";

export const RC = {
  ...ReasonCode,
  success: 0x00,
  grantedQos1: 0x01,
  grantedQos2: 0x02,
  disconnectWithWill: 0x04,
  noMatchingSubscribers: 0x10,
  noSubscriptionExisted: 0x11,
  malformedPacket: 0x81,
  protocolError: 0x82,
  unsupportedProtocolVersion: 0x84,
  serverShuttingDown: 0x8b,
  badAuthenticationMethod: 0x8c,
  keepAliveTimeout: 0x8d,
  sessionTakenOver: 0x8e,
  packetIdentifierInUse: 0x91,
  packetIdentifierNotFound: 0x92,
  receiveMaximumExceeded: 0x93,
  topicAliasInvalid: 0x94,
  administrativeAction: 0x98,
  payloadFormatInvalid: 0x99,
} as const;

/** MQTT 3.1.1 CONNACK return codes (§3.2.2.3). */
export const ConnackRC311 = {
  accepted: 0,
  unacceptableProtocolVersion: 1,
  identifierRejected: 2,
  serverUnavailable: 3,
  badUserNameOrPassword: 4,
  notAuthorized: 5,
} as const;

/** The 3.1.1 CONNACK return code closest to an MQTT 5 reason code (what Mosquitto does too). */
export function connackReturnCode311(reasonCode: number): number {
  switch (reasonCode) {
    case RC.success:
      return ConnackRC311.accepted;
    case RC.unsupportedProtocolVersion:
      return ConnackRC311.unacceptableProtocolVersion;
    case RC.clientIdentifierNotValid:
      return ConnackRC311.identifierRejected;
    case RC.badUserNameOrPassword:
      return ConnackRC311.badUserNameOrPassword;
    case RC.notAuthorized:
    case RC.banned:
    case RC.badAuthenticationMethod:
      return ConnackRC311.notAuthorized;
    default:
      return ConnackRC311.serverUnavailable;
  }
}

/** Session Expiry Interval meaning "never" (§3.1.2.11.2); 3.1.1 clean=false sessions get it. */
export const NEVER_EXPIRES = 0xffffffff;
