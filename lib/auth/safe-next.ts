// Where the login sends a person afterwards: only somewhere on this hub.
//
// Pattern-matching the string is not enough: a browser's URL parser removes tabs and newlines
// before it parses, so "/\t/evil.example" (which starts with "/" and not "//") becomes
// "//evil.example", another site; "/\\evil.example" and "/%5C…" are read as "//" too by some
// parsers. So the value is resolved the way the browser will resolve it, against a base no real
// request can carry, and kept only if it stays on that base.
const BASE = "http://hearth.invalid";

/** A path on this site (path, query and fragment), or "/" for anything that would leave it. */
export function safeNext(value: unknown): string {
  if (typeof value !== "string" || !value.startsWith("/")) return "/";
  let url: URL;
  try {
    url = new URL(value, BASE);
  } catch {
    return "/";
  }
  if (url.origin !== BASE) return "/";
  // What is returned is the parser's own serialisation: no tab, newline or backslash survives
  // into the Location header (a newline there used to be an unhandled 500).
  const path = url.pathname + url.search + url.hash;
  return path.startsWith("//") ? "/" : path;
}
