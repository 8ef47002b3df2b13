// A self-signed certificate for the hub on the home network, made with Debian's
// openssl (no npm dependency): valid for localhost, this machine's host name, its
// LAN addresses, and any names given. Phones and tablets need HTTPS for the PWA,
// notifications and the wake lock; the README says how to trust the certificate.
import { execFile } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { hostname, networkInterfaces } from "node:os";
import path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);
const VALID_DAYS = 825; // the longest Apple devices accept for a TLS server certificate

export function certificateNames(extra: string[]): string[] {
  const names = new Set(["localhost", "127.0.0.1", "::1", hostname(), `${hostname()}.local`, ...extra]);
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (!a.internal && a.family === "IPv4") names.add(a.address);
  }
  return [...names];
}

const isIp = (name: string) => /^[\d.]+$/.test(name) || name.includes(":");

export async function generateCertificate(opts: { dir: string; hosts: string[] }) {
  mkdirSync(opts.dir, { recursive: true, mode: 0o700 });
  const certFile = path.join(opts.dir, "hearth.crt");
  const keyFile = path.join(opts.dir, "hearth.key");
  const names = certificateNames(opts.hosts);
  const san = names.map((n) => (isIp(n) ? `IP:${n}` : `DNS:${n}`)).join(",");
  const configFile = path.join(opts.dir, "openssl.cnf");
  // CA:TRUE lets a phone install it as its own trust anchor (iOS and Android both want that).
  writeFileSync(
    configFile,
    [
      "[req]",
      "distinguished_name = dn",
      "x509_extensions = ext",
      "prompt = no",
      "[dn]",
      "CN = Hearth hub",
      "O = Hearth",
      "[ext]",
      "basicConstraints = critical, CA:TRUE, pathlen:0",
      "keyUsage = critical, digitalSignature, keyCertSign",
      "extendedKeyUsage = serverAuth",
      `subjectAltName = ${san}`,
      "",
    ].join("\n"),
  );
  try {
    await run("openssl", [
      "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
      "-days", String(VALID_DAYS), "-keyout", keyFile, "-out", certFile, "-config", configFile,
    ]);
  } catch (error) {
    const e = error as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === "ENOENT") throw new Error("openssl is not installed (Debian: apt-get install openssl)");
    throw new Error(`openssl failed: ${e.stderr ?? e.message}`);
  }
  return { certFile, keyFile, names };
}
