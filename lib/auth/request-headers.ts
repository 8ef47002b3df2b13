// Headers the hub itself sets on requests before Next sees them.
/**
 * The header the hub's HTTP server sets to the peer's address before Next sees a
 * request (broker/http-server.ts), overwriting whatever a client sent under it;
 * the login throttle keys on it.
 */
export const REMOTE_ADDRESS_HEADER = "x-hearth-remote-address";

/**
 * Set by proxy.ts on the login and onboarding pages only (and removed from what a
 * client sends, in broker/http-server.ts): the root layout renders a signed-out page
 * only with it, so a path the proxy's matcher skips cannot show a page to a stranger.
 */
export const PUBLIC_PAGE_HEADER = "x-hearth-public-page";
