// Home Assistant `value_template`s, in the subset devices publish (review-10 F3): a small
// Jinja parser into plain data (the entity carries it; no code is ever built from a
// device's text, nothing is `eval`ed). What it reads, from the publishers' own sources:
//  - Zigbee2MQTT lib/extension/homeassistant.ts: `{{ value_json["state"] }}`, boolean switches
//    `{% if value_json["x"] %}true{% else %}false{% endif %}`, text sensors
//    `{{ value_json["x"] | default('',True) | string | truncate(254, True, '', 0) }}`,
//    `{{ value_json.permit_join | lower }}`, a disabled device's availability `{{ "offline" }}`.
//  - OpenMQTTGateway/Theengs: `{{ value_json.tempc | is_defined }}`,
//    `{{ float(value_json.pa) * 0.01 | is_defined }}`, `{{ value_json.power | is_defined | float > 0 }}`,
//    `{% if value_json.power > 0.02 -%} on {% else %} off {%- endif %}`.
//  - rtl_433 examples/rtl_433_mqtt_hass.py: `{{ value|float|round(1) }}`, `{{ value|int }}`,
//    `{{ ((float(value) * 99)|round(0)) + 1 }}`, `{{ float(value|float) * 3.6 }}`.
// Evaluation is in value-template-eval.ts. Anything else (`now()`, `{% set %}`, methods)
// is refused with the part not understood, so the entity is refused with a reason.

import { NotUnderstood, parseExpr, refuse, type Expr } from "./value-template-expr";

export type TemplateNode =
  | { readonly n: "text"; readonly text: string }
  | { readonly n: "out"; readonly expr: Expr }
  | { readonly n: "if"; readonly branches: ReadonlyArray<{ readonly test: Expr; readonly body: readonly TemplateNode[] }>; readonly otherwise: readonly TemplateNode[] };

/** A parsed template: plain data, so entities holding one still compare with JSON.stringify. */
export type ValueTemplate = { readonly nodes: readonly TemplateNode[] };

export type TemplateParse = { ok: true; template: ValueTemplate } | { ok: false; notUnderstood: string };

// ---- the template: text, {{ expr }}, {% if %}…{% elif %}…{% else %}…{% endif %}, {# #} ----

type Tag = { kind: "text"; text: string } | { kind: "out" | "stmt"; body: string };

/** Where the tag opened at `from` closes (`}}`, `%}` or `#}`), skipping quoted strings. */
function closeOf(source: string, from: number, close: string): number {
  let quote: string | null = null;
  for (let i = from; i < source.length; i++) {
    const c = source[i];
    if (quote) {
      if (c === "\\") i++;
      else if (c === quote) quote = null;
    } else if (c === "'" || c === '"') quote = c;
    else if (source.startsWith(close, i)) return i;
  }
  return refuse(`unclosed ${source.slice(from - 2, from + 10)}`);
}

/** Splits into text and tags, applying Jinja's `-` whitespace control (`{%-`, `-%}`). */
function lex(source: string): Tag[] {
  const tags: Tag[] = [];
  let at = 0;
  let trimNext = false;
  for (;;) {
    const open = source.slice(at).search(/\{[{%#]/);
    let text = open < 0 ? source.slice(at) : source.slice(at, at + open);
    if (trimNext) text = text.replace(/^\s+/, "");
    if (open < 0) {
      if (text) tags.push({ kind: "text", text });
      return tags;
    }
    const start = at + open;
    const kind = source[start + 1];
    const close = kind === "{" ? "}}" : kind === "%" ? "%}" : "#}";
    const end = closeOf(source, start + 2, close);
    let body = source.slice(start + 2, end);
    if (body.startsWith("-")) {
      text = text.replace(/\s+$/, "");
      body = body.slice(1);
    }
    trimNext = body.endsWith("-");
    if (trimNext) body = body.slice(0, -1);
    if (text) tags.push({ kind: "text", text });
    if (kind !== "#") tags.push({ kind: kind === "{" ? "out" : "stmt", body: body.trim() });
    at = end + 2;
  }
}

/** Parses nodes until one of `stops` (a statement keyword) or the end; returns the stop met. */
function parseNodes(tags: Tag[], pos: { i: number }, stops: readonly string[]): { nodes: TemplateNode[]; stop: string | null; rest: string } {
  const nodes: TemplateNode[] = [];
  while (pos.i < tags.length) {
    const tag = tags[pos.i++];
    if (tag.kind === "text") nodes.push({ n: "text", text: tag.text });
    else if (tag.kind === "out") nodes.push({ n: "out", expr: parseExpr(tag.body) });
    else {
      const [keyword] = tag.body.split(/\s/, 1);
      const rest = tag.body.slice(keyword.length).trim();
      if (stops.includes(keyword)) return { nodes, stop: keyword, rest };
      if (keyword !== "if") refuse(`{% ${keyword} %}`);
      nodes.push(parseIf(tags, pos, parseExpr(rest)));
    }
  }
  if (stops.length > 0) refuse("{% if %} without {% endif %}");
  return { nodes, stop: null, rest: "" };
}

function parseIf(tags: Tag[], pos: { i: number }, first: Expr): TemplateNode {
  const branches: Array<{ test: Expr; body: TemplateNode[] }> = [];
  let test = first;
  for (;;) {
    const part = parseNodes(tags, pos, ["elif", "else", "endif"]);
    branches.push({ test, body: part.nodes });
    if (part.stop === "elif") test = parseExpr(part.rest);
    else if (part.stop === "else") return { n: "if", branches, otherwise: parseNodes(tags, pos, ["endif"]).nodes };
    else return { n: "if", branches, otherwise: [] };
  }
}

/** Parses a value_template; what is not understood is named, for the refusal's message. */
export function parseTemplate(source: string): TemplateParse {
  try {
    const nodes = parseNodes(lex(source), { i: 0 }, []).nodes;
    if (!nodes.some((n) => n.n !== "text")) return { ok: false, notUnderstood: "a template with no {{ }}" };
    return { ok: true, template: { nodes } };
  } catch (error) {
    if (error instanceof NotUnderstood) return { ok: false, notUnderstood: error.message };
    throw error;
  }
}

/**
 * `{{ value }}`, alone or through number filters only (rtl_433's `{{ value|float|round(1) }}`):
 * the payload is the reading itself, so the hub records it under its own topic.
 */
export function readsPayloadAsIs(template: ValueTemplate | null): boolean {
  if (template === null) return true;
  if (template.nodes.length !== 1 || template.nodes[0].n !== "out") return false;
  let expr = template.nodes[0].expr;
  while (expr.e === "filter" && ["float", "int", "round", "is_defined"].includes(expr.name)) expr = expr.of;
  return expr.e === "var" && expr.name === "value";
}

/**
 * Whether the template picks a field out of a JSON state (`{{ value_json.uptime }}`), other
 * than the `value` of Hearth's own `{"value":…}`: such a topic may carry several sensors
 * (OpenMQTTGateway's `home/<gateway>/SYStoMQTT`), so none of them can be keyed by it.
 */
export function readsJsonField(template: ValueTemplate | null): boolean {
  return template !== null && template.nodes.some(nodeReadsField);
}

function nodeReadsField(node: TemplateNode): boolean {
  if (node.n === "text") return false;
  if (node.n === "out") return exprReadsField(node.expr);
  return node.branches.some((b) => exprReadsField(b.test) || b.body.some(nodeReadsField)) || node.otherwise.some(nodeReadsField);
}

function exprReadsField(x: Expr): boolean {
  switch (x.e) {
    case "lit":
      return false;
    case "var":
      return x.name === "value_json";
    case "get":
      if (x.of.e === "var" && x.of.name === "value_json" && x.key.e === "lit" && x.key.value === "value") return false;
      return exprReadsField(x.of) || exprReadsField(x.key);
    case "filter":
      return exprReadsField(x.of) || x.args.some(exprReadsField);
    case "call":
    case "list":
      return (x.e === "call" ? x.args : x.items).some(exprReadsField);
    case "test":
    case "not":
    case "neg":
      return exprReadsField(x.of);
    case "bin":
      return exprReadsField(x.left) || exprReadsField(x.right);
    case "cond":
      return exprReadsField(x.test) || exprReadsField(x.then) || (x.otherwise !== null && exprReadsField(x.otherwise));
  }
}
