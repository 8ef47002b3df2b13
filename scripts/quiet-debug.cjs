// What mqtt-packet gets for `require("debug")` in the hub's bundle (scripts/build-hub.ts).
// Its parser and writer call a debugger about a dozen times a packet, and a disabled
// `debug(...args)` still builds its arguments array before it returns: 1.3–2 KB of garbage
// a message, about a fifth of what the broker's thread allocated (bench/README.md, issue 12,
// fifth pass). A namespace that DEBUG enables at start gets the real debugger, as before.
//
// The real debugger is the `debug` mqtt-packet itself resolves (its own dependency, the
// version its range asks for), not whatever `debug` npm hoisted to the top of node_modules:
// Hearth does not depend on `debug`, so the top may hold another major or none at all
// (review-7 F11). mqtt-packet is Hearth's own dependency, so it is always found from here.
const { createRequire } = require("node:module");

const createDebug = createRequire(require.resolve("mqtt-packet"))("debug");

const disabled = () => {};

module.exports = function quietDebug(namespace) {
  const debug = createDebug(namespace);
  return debug.enabled ? debug : disabled;
};
