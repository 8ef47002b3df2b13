// What mqtt-packet gets for `require("debug")` in the hub's bundle (scripts/build-hub.ts).
// Its parser and writer call a debugger about a dozen times a packet, and a disabled
// `debug(...args)` still builds its arguments array before it returns: 1.3–2 KB of garbage
// a message, about a fifth of what the broker's thread allocated (bench/README.md, issue 12,
// fifth pass). A namespace that DEBUG enables at start gets the real debugger, as before.
const createDebug = require("debug");

const disabled = () => {};

module.exports = function quietDebug(namespace) {
  const debug = createDebug(namespace);
  return debug.enabled ? debug : disabled;
};
