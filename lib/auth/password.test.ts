import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { generatePassword, hashPassword, verifyPassword } from "./password";

describe("password hashing", () => {
  it("verifies the right password and refuses a wrong one", async () => {
    const hash = await hashPassword("correct horse");
    assert.match(hash, /^scrypt\$16384\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    assert.doesNotMatch(hash, /correct horse/);
    assert.equal(await verifyPassword("correct horse", hash), true);
    assert.equal(await verifyPassword("correct hors", hash), false);
    assert.equal(await verifyPassword("", hash), false);
  });

  it("salts: one password hashes differently twice", async () => {
    assert.notEqual(await hashPassword("same"), await hashPassword("same"));
  });

  it("treats a unicode password in any normal form as the same password", async () => {
    const hash = await hashPassword("caf\u00e9");
    assert.equal(await verifyPassword("cafe\u0301", hash), true);
  });

  const unreadable: [string, string][] = [
    ["an empty string", ""],
    ["another scheme", "bcrypt$2b$10$abc"],
    ["missing parts", "scrypt$16384$8$1$c2FsdA=="],
    ["a non-numeric cost", "scrypt$x$8$1$c2FsdA==$" + "A".repeat(44)],
    ["a cost scrypt refuses", "scrypt$3$8$1$c2FsdA==$" + "A".repeat(44)],
    ["a key of the wrong length", "scrypt$16384$8$1$c2FsdA==$AAAA"],
  ];
  for (const [label, stored] of unreadable) {
    it(`says no, without throwing, to ${label}`, async () => assert.equal(await verifyPassword("anything", stored), false));
  }

  it("generates device passwords of 24 URL-safe characters, different each time", () => {
    const a = generatePassword();
    assert.match(a, /^[A-Za-z0-9_-]{24}$/);
    assert.notEqual(a, generatePassword());
  });
});
