/**
 * The header the hub's HTTP server sets to the peer's address before Next sees a
 * request (broker/http-server.ts), overwriting whatever a client sent under it;
 * the login throttle keys on it.
 */
export const REMOTE_ADDRESS_HEADER = "x-hearth-remote-address";
