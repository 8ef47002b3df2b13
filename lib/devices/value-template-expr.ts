// The expressions of a value_template (value-template.ts): `value_json.x | float > 0`,
// `float(value) * 99 + 1`, `'ON' if value_json.state else 'OFF'`, parsed into plain data
// in Jinja's precedence. What is not in the subset is refused with the part named.

export type Literal = string | number | boolean | null;

export const FILTERS = ["float", "int", "round", "is_defined", "default", "d", "lower", "upper", "string", "truncate", "trim", "abs"] as const;
export type FilterName = (typeof FILTERS)[number];
const FUNCTIONS = ["float", "int"] as const;
const TESTS = ["defined", "undefined", "none", "number", "string"] as const;
const BINARY = ["or", "and", "==", "!=", "<", "<=", ">", ">=", "in", "not in", "+", "-", "~", "*", "/", "//", "%"] as const;
export type BinaryOp = (typeof BINARY)[number];

export type Expr =
  | { readonly e: "lit"; readonly value: Literal }
  | { readonly e: "var"; readonly name: "value" | "value_json" }
  | { readonly e: "get"; readonly of: Expr; readonly key: Expr }
  | { readonly e: "filter"; readonly of: Expr; readonly name: FilterName; readonly args: readonly Expr[] }
  | { readonly e: "call"; readonly name: (typeof FUNCTIONS)[number]; readonly args: readonly Expr[] }
  | { readonly e: "test"; readonly of: Expr; readonly name: (typeof TESTS)[number]; readonly negate: boolean }
  | { readonly e: "bin"; readonly op: BinaryOp; readonly left: Expr; readonly right: Expr }
  | { readonly e: "not"; readonly of: Expr }
  | { readonly e: "neg"; readonly of: Expr }
  | { readonly e: "cond"; readonly test: Expr; readonly then: Expr; readonly otherwise: Expr | null }
  | { readonly e: "list"; readonly items: readonly Expr[] };

export class NotUnderstood extends Error {}
export const refuse = (part: string): never => {
  throw new NotUnderstood(part);
};
// ---- expressions -------------------------------------------------------------------

type Token = { kind: "num" | "str" | "name" | "op"; text: string; value?: Literal };
const TOKEN = /\s*(?:(\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)|('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")|([A-Za-z_][A-Za-z0-9_]*)|(==|!=|<=|>=|\/\/|[<>+\-*/%~|.[\](),]))/y;

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < source.length) {
    if (/^\s*$/.test(source.slice(TOKEN.lastIndex))) break;
    const at = TOKEN.lastIndex;
    const m = TOKEN.exec(source);
    if (!m) refuse(source.slice(at).trim().slice(0, 24));
    if (m![1] !== undefined) tokens.push({ kind: "num", text: m![1], value: Number(m![1]) });
    else if (m![2] !== undefined) tokens.push({ kind: "str", text: m![2], value: unquote(m![2]) });
    else if (m![3] !== undefined) tokens.push({ kind: "name", text: m![3] });
    else tokens.push({ kind: "op", text: m![4] });
  }
  return tokens;
}

function unquote(quoted: string): string {
  return quoted.slice(1, -1).replace(/\\(.)/g, (_, c: string) => (c === "n" ? "\n" : c === "t" ? "\t" : c));
}

/** Recursive descent in Jinja's precedence: conditional, or, and, not, compare, + - ~, * / // %, unary, filters and tests, postfix. */
class ExprParser {
  private i = 0;
  constructor(private readonly tokens: Token[]) {}

  parseAll(): Expr {
    const expr = this.conditional();
    if (this.i < this.tokens.length) refuse(this.rest());
    return expr;
  }
  private rest(): string {
    return this.tokens.slice(this.i, this.i + 4).map((t) => t.text).join(" ");
  }
  private peek(text: string, ahead = 0): boolean {
    const t = this.tokens[this.i + ahead];
    return t !== undefined && t.text === text && (t.kind === "op" || t.kind === "name");
  }
  private take(text: string): boolean {
    if (!this.peek(text)) return false;
    this.i++;
    return true;
  }
  private expect(text: string): void {
    if (!this.take(text)) refuse(this.i < this.tokens.length ? this.rest() : `missing ${text}`);
  }

  private conditional(): Expr {
    const then = this.or();
    if (!this.take("if")) return then;
    const test = this.or();
    return { e: "cond", test, then, otherwise: this.take("else") ? this.conditional() : null };
  }
  private or(): Expr {
    let left = this.and();
    while (this.take("or")) left = { e: "bin", op: "or", left, right: this.and() };
    return left;
  }
  private and(): Expr {
    let left = this.not();
    while (this.take("and")) left = { e: "bin", op: "and", left, right: this.not() };
    return left;
  }
  private not(): Expr {
    return this.take("not") ? { e: "not", of: this.not() } : this.compare();
  }
  private compare(): Expr {
    let left = this.additive();
    for (;;) {
      const op = (["==", "!=", "<=", ">=", "<", ">", "in"] as const).find((o) => this.peek(o));
      if (op) {
        this.i++;
        left = { e: "bin", op, left, right: this.additive() };
      } else if (this.peek("not") && this.peek("in", 1)) {
        this.i += 2;
        left = { e: "bin", op: "not in", left, right: this.additive() };
      } else return left;
    }
  }
  private additive(): Expr {
    let left = this.multiplicative();
    for (let op = this.binaryOp(["+", "-", "~"]); op; op = this.binaryOp(["+", "-", "~"])) {
      left = { e: "bin", op, left, right: this.multiplicative() };
    }
    return left;
  }
  private multiplicative(): Expr {
    let left = this.unary();
    for (let op = this.binaryOp(["*", "/", "//", "%"]); op; op = this.binaryOp(["*", "/", "//", "%"])) {
      left = { e: "bin", op, left, right: this.unary() };
    }
    return left;
  }
  private binaryOp<T extends BinaryOp>(ops: readonly T[]): T | null {
    const op = ops.find((o) => this.peek(o));
    if (op) this.i++;
    return op ?? null;
  }
  private unary(): Expr {
    if (this.take("-")) return { e: "neg", of: this.unary() };
    if (this.take("+")) return this.unary();
    return this.filtered(this.postfix(this.primary()));
  }
  /** `x | f(args) | g`, `x is [not] defined`: filters bind tighter than arithmetic, as in Jinja. */
  private filtered(of: Expr): Expr {
    for (;;) {
      if (this.take("|")) {
        const name = this.name("filter");
        if (!(FILTERS as readonly string[]).includes(name)) refuse(`filter ${name}`);
        of = { e: "filter", of, name: name as FilterName, args: this.take("(") ? this.args() : [] };
      } else if (this.take("is")) {
        const negate = this.take("not");
        const name = this.name("test");
        if (!(TESTS as readonly string[]).includes(name)) refuse(`test is ${name}`);
        of = { e: "test", of, name: name as (typeof TESTS)[number], negate };
      } else return of;
    }
  }
  private postfix(of: Expr): Expr {
    for (;;) {
      if (this.take(".")) {
        const key = this.name("attribute");
        if (this.peek("(")) refuse(`method .${key}()`);
        of = { e: "get", of, key: { e: "lit", value: key } };
      } else if (this.take("[")) {
        of = { e: "get", of, key: this.conditional() };
        this.expect("]");
      } else return of;
    }
  }
  private name(what: string): string {
    const t = this.tokens[this.i];
    if (t?.kind !== "name") refuse(t ? `${what} ${t.text}` : `missing ${what}`);
    this.i++;
    return t.text;
  }
  /** After `(`: comma-separated expressions up to `)` (keyword arguments are not read). */
  private args(): Expr[] {
    const args: Expr[] = [];
    while (!this.take(")")) {
      if (args.length > 0) this.expect(",");
      args.push(this.conditional());
    }
    return args;
  }
  private primary(): Expr {
    const t = this.tokens[this.i];
    if (t === undefined) return refuse("an empty expression");
    this.i++;
    if (t.kind === "num" || t.kind === "str") return { e: "lit", value: t.value! };
    if (t.kind === "name") {
      const literal = ({ true: true, True: true, false: false, False: false, none: null, None: null } as Record<string, Literal>)[t.text];
      if (literal !== undefined) return { e: "lit", value: literal };
      if (t.text === "value" || t.text === "value_json") return { e: "var", name: t.text };
      if ((FUNCTIONS as readonly string[]).includes(t.text) && this.take("(")) {
        return { e: "call", name: t.text as (typeof FUNCTIONS)[number], args: this.args() };
      }
      return refuse(this.peek("(") ? `${t.text}()` : `name ${t.text}`);
    }
    if (t.text === "(") {
      const inner = this.conditional();
      this.expect(")");
      return inner;
    }
    if (t.text === "[") {
      const items: Expr[] = [];
      while (!this.take("]")) {
        if (items.length > 0) this.expect(",");
        items.push(this.conditional());
      }
      return { e: "list", items };
    }
    return refuse(t.text);
  }
}

export function parseExpr(source: string): Expr {
  return new ExprParser(tokenize(source)).parseAll();
}

