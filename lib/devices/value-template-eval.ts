// Evaluates a parsed value_template (value-template.ts) against one payload, with
// Jinja's and Home Assistant's meanings for the subset parsed: Python truthiness and
// text (`True`, `None`), HA's `float`/`int` filters that fail without a default, and
// `is_defined` that fails on a missing field — OpenMQTTGateway relies on that to skip
// the messages of a topic that do not carry an entity's key. Pure and browser-safe.
import type { TemplateNode, ValueTemplate } from "./value-template";
import type { Expr } from "./value-template-expr";
import { NOT_JSON, parseJsonText, type JsonSource } from "../payload-json";

export type TemplateResult =
  /** A template that is one `{{ expr }}` gives its value as is (a number stays a number); any other, its text, trimmed. */
  | { ok: true; value: unknown }
  /**
   * `skip`: the template says this message has no value for it (is_defined on a missing field): not an error.
   * `missing`: it names a field the payload does not have. `error`: the value is of the wrong kind (`"abc" | float`).
   */
  | { ok: false; code: "skip" | "missing" | "error"; message: string };

/** Home Assistant keeps a state's text to 255 characters. */
const MAX_TEXT = 255;

class Undefined {
  constructor(readonly name: string) {}
}
class Stop extends Error {
  constructor(
    readonly code: "skip" | "error",
    message: string,
  ) {
    super(message);
  }
}
const fail = (message: string): never => {
  throw new Stop("error", message);
};

const NUMBER = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/;

/** Python's float(): numbers, booleans, and numeric text (also `nan`, `inf`); null when none of these. */
function toFloat(v: unknown): number | null {
  if (typeof v === "number") return v;
  if (typeof v === "boolean") return v ? 1 : 0;
  if (typeof v !== "string") return null;
  const text = v.trim();
  if (NUMBER.test(text)) return Number(text);
  const special = /^([-+]?)(nan|inf|infinity)$/i.exec(text);
  if (!special) return null;
  return special[2].toLowerCase() === "nan" ? NaN : special[1] === "-" ? -Infinity : Infinity;
}

/** A value as Jinja prints it (Python's str). */
export function renderText(v: unknown): string {
  if (v instanceof Undefined) return "";
  if (v === null) return "None";
  if (v === true) return "True";
  if (v === false) return "False";
  if (typeof v === "number") return Number.isNaN(v) ? "nan" : v === Infinity ? "inf" : v === -Infinity ? "-inf" : String(v);
  if (typeof v === "string") return v;
  return JSON.stringify(v);
}

function truthy(v: unknown): boolean {
  if (v instanceof Undefined || v === null || v === false || v === 0 || v === "" || Number.isNaN(v)) return false;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === "object") return Object.keys(v as object).length > 0;
  return true;
}

function number(v: unknown, what: string): number {
  const n = typeof v === "boolean" ? Number(v) : v;
  if (typeof n !== "number") fail(`${what} of ${JSON.stringify(renderText(v)).slice(0, 40)}, not a number`);
  return n as number;
}

function equals(a: unknown, b: unknown): boolean {
  const numeric = (x: unknown) => typeof x === "number" || typeof x === "boolean";
  if (numeric(a) && numeric(b)) return Number(a) === Number(b);
  if (a instanceof Undefined || b instanceof Undefined) return a instanceof Undefined && b instanceof Undefined;
  if (typeof a === "object" && a !== null && typeof b === "object" && b !== null) return JSON.stringify(a) === JSON.stringify(b);
  return a === b;
}

function contains(haystack: unknown, needle: unknown): boolean {
  if (typeof haystack === "string") return typeof needle === "string" ? haystack.includes(needle) : fail("`in` a text needs a text");
  if (Array.isArray(haystack)) return haystack.some((item) => equals(item, needle));
  if (typeof haystack === "object" && haystack !== null && !(haystack instanceof Undefined)) {
    return typeof needle === "string" && Object.hasOwn(haystack, needle);
  }
  return fail(`\`in\` ${renderText(haystack) || "an undefined value"}`);
}

function compare(op: string, a: unknown, b: unknown): boolean {
  const bothText = typeof a === "string" && typeof b === "string";
  const x = bothText ? a : number(a, `${op} comparison`);
  const y = bothText ? b : number(b, `${op} comparison`);
  return op === "<" ? x < y : op === "<=" ? x <= y : op === ">" ? x > y : x >= y;
}

function arithmetic(op: string, a: unknown, b: unknown): unknown {
  if (op === "~") return renderText(a) + renderText(b);
  if (op === "+" && typeof a === "string" && typeof b === "string") return a + b;
  const x = number(a, op);
  const y = number(b, op);
  if ((op === "/" || op === "//" || op === "%") && y === 0) fail("division by zero");
  switch (op) {
    case "+": return x + y;
    case "-": return x - y;
    case "*": return x * y;
    case "/": return x / y;
    case "//": return Math.floor(x / y);
    default: return x - y * Math.floor(x / y); // Python's % takes the divisor's sign
  }
}

/** Jinja's truncate(length=255, killwords=False, end='...', leeway=5). */
function truncate(text: string, length: number, killwords: boolean, end: string, leeway: number): string {
  if (text.length <= length + leeway) return text;
  const cut = text.slice(0, Math.max(0, length - end.length));
  return (killwords ? cut : cut.replace(/\s+\S*$/, "")) + end;
}

/** `value_json.ENERGY["Power"]` → `ENERGY.Power`: how a missing field is named in messages. */
function pathOf(x: Expr): string {
  if (x.e === "var") return x.name;
  if (x.e !== "get") return "value";
  const key = x.key.e === "lit" ? renderText(x.key.value) : "…";
  return x.of.e === "var" && x.of.name === "value_json" ? key : `${pathOf(x.of)}.${key}`;
}

class Evaluator {
  private json: unknown = undefined;
  private jsonRead = false;
  /** `source`: the message's JSON, parsed once for all its readers (review-14 F4); else parsed here. */
  constructor(
    private readonly payload: string,
    private readonly source: JsonSource | undefined,
  ) {}

  private valueJson(): unknown {
    if (!this.jsonRead) {
      this.jsonRead = true;
      const json = this.source ? this.source.json : parseJsonText(this.payload);
      this.json = json === NOT_JSON ? new Undefined("value_json") : json;
    }
    return this.json;
  }

  private toFloatOr(v: unknown, fallback: unknown, what: string): unknown {
    const n = toFloat(v);
    if (n !== null) return n;
    if (fallback !== undefined) return fallback;
    return v instanceof Undefined ? v : fail(`${what} of ${JSON.stringify(renderText(v)).slice(0, 40)}`);
  }

  /** float/int, as filter or function: a default when given, else a failed conversion fails the template (HA). */
  private convert(name: "float" | "int", v: unknown, fallback: unknown): unknown {
    const n = this.toFloatOr(v, fallback, name);
    return name === "int" && typeof n === "number" && Number.isFinite(n) ? Math.trunc(n) : n;
  }

  private filter(name: string, v: unknown, args: unknown[]): unknown {
    switch (name) {
      case "float":
      case "int":
        return this.convert(name, v, args[0]);
      case "round": {
        const n = this.toFloatOr(v, undefined, "round");
        if (typeof n !== "number" || !Number.isFinite(n)) return n;
        const digits = Math.max(0, Math.min(10, Math.trunc(Number(args[0] ?? 0))));
        const scale = 10 ** digits;
        const method = args[1] ?? "common";
        const rounded = method === "floor" ? Math.floor(n * scale) : method === "ceil" ? Math.ceil(n * scale) : Math.round(Math.abs(n) * scale) * Math.sign(n);
        return rounded / scale;
      }
      case "is_defined":
        if (v instanceof Undefined) throw new Stop("skip", `${v.name} is not in this message`);
        return v;
      case "default":
      case "d":
        return v instanceof Undefined || (truthy(args[1]) && !truthy(v)) ? (args[0] ?? "") : v;
      case "lower":
        return renderText(v).toLowerCase();
      case "upper":
        return renderText(v).toUpperCase();
      case "trim":
        return renderText(v).trim();
      case "string":
        return renderText(v);
      case "abs":
        return Math.abs(number(v, "abs"));
      case "truncate": {
        const leeway = args[3] === undefined || args[3] === null ? 5 : number(args[3], "truncate");
        return truncate(renderText(v), number(args[0] ?? 255, "truncate"), truthy(args[1]), args[2] === undefined ? "..." : renderText(args[2]), leeway);
      }
      default:
        return fail(`filter ${name}`);
    }
  }

  expr(x: Expr): unknown {
    switch (x.e) {
      case "lit":
        return x.value;
      case "var":
        return x.name === "value" ? this.payload : this.valueJson();
      case "get": {
        const of = this.expr(x.of);
        const key = this.expr(x.key);
        if (of instanceof Undefined && of.name === "value_json") return of;
        if (Array.isArray(of) && typeof key === "number") return key in of ? of[key] : new Undefined(pathOf(x));
        const name = renderText(key);
        const found = typeof of === "object" && of !== null && !(of instanceof Undefined) && Object.hasOwn(of, name);
        return found ? (of as Record<string, unknown>)[name] : new Undefined(pathOf(x));
      }
      case "filter":
        return this.filter(x.name, this.expr(x.of), x.args.map((a) => this.expr(a)));
      case "call": {
        const args = x.args.map((a) => this.expr(a));
        return this.convert(x.name, args[0], args[1]);
      }
      case "test": {
        const v = this.expr(x.of);
        const result =
          x.name === "defined" ? !(v instanceof Undefined)
          : x.name === "undefined" ? v instanceof Undefined
          : x.name === "none" ? v === null
          : x.name === "number" ? typeof v === "number"
          : typeof v === "string";
        return x.negate ? !result : result;
      }
      case "bin": {
        const left = this.expr(x.left);
        if (x.op === "or") return truthy(left) ? left : this.expr(x.right);
        if (x.op === "and") return truthy(left) ? this.expr(x.right) : left;
        const right = this.expr(x.right);
        if (x.op === "==") return equals(left, right);
        if (x.op === "!=") return !equals(left, right);
        if (x.op === "in") return contains(right, left);
        if (x.op === "not in") return !contains(right, left);
        if (x.op === "<" || x.op === "<=" || x.op === ">" || x.op === ">=") return compare(x.op, left, right);
        return arithmetic(x.op, left, right);
      }
      case "not":
        return !truthy(this.expr(x.of));
      case "neg":
        return -number(this.expr(x.of), "-");
      case "cond":
        return truthy(this.expr(x.test)) ? this.expr(x.then) : x.otherwise ? this.expr(x.otherwise) : new Undefined("");
      case "list":
        return x.items.map((item) => this.expr(item));
    }
  }

  render(nodes: readonly TemplateNode[]): string {
    let out = "";
    for (const node of nodes) {
      if (node.n === "text") out += node.text;
      else if (node.n === "out") out += renderText(this.expr(node.expr));
      else {
        const branch = node.branches.find((b) => truthy(this.expr(b.test)));
        out += this.render(branch ? branch.body : node.otherwise);
      }
      if (out.length > MAX_TEXT * 4) break;
    }
    return out;
  }
}

/** The template's value for one payload (its text, as received). */
export function evaluateTemplate(template: ValueTemplate, payload: string, json?: JsonSource): TemplateResult {
  const evaluator = new Evaluator(payload, json);
  try {
    const [only] = template.nodes;
    if (template.nodes.length === 1 && only.n === "out") {
      const value = evaluator.expr(only.expr);
      if (value instanceof Undefined) {
        return { ok: false, code: "missing", message: value.name === "value_json" ? "payload is not JSON" : `payload has no JSON field "${value.name}"` };
      }
      return { ok: true, value: typeof value === "string" ? value.trim().slice(0, MAX_TEXT) : value };
    }
    return { ok: true, value: evaluator.render(template.nodes).trim().slice(0, MAX_TEXT) };
  } catch (error) {
    if (error instanceof Stop) return { ok: false, code: error.code, message: error.message };
    throw error;
  }
}
