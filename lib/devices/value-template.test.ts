import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseTemplate, readsJsonField, readsPayloadAsIs } from "./value-template";
import { evaluateTemplate } from "./value-template-eval";

const run = (template: string, payload: string) => {
  const parsed = parseTemplate(template);
  assert.ok(parsed.ok, `${template}: ${!parsed.ok && parsed.notUnderstood}`);
  return evaluateTemplate(parsed.template, payload);
};

// Templates as the publishers write them (review-10 F3): Zigbee2MQTT lib/extension/homeassistant.ts,
// OpenMQTTGateway main/config_mqttDiscovery.h, rtl_433 examples/rtl_433_mqtt_hass.py.
describe("value templates devices publish", () => {
  const z2mPlug = '{"state":"ON","led_disabled_night":false,"power":12.5,"update":{"state":"idle"}}';
  const cases: Array<[who: string, template: string, payload: string, expected: unknown]> = [
    ["Z2M state", '{{ value_json["state"] }}', z2mPlug, "ON"],
    ["Z2M boolean switch (false)", '{% if value_json["led_disabled_night"] %}true{% else %}false{% endif %}', z2mPlug, "false"],
    ["Z2M boolean switch (true)", '{% if value_json["led_disabled_night"] %}true{% else %}false{% endif %}', '{"led_disabled_night":true}', "true"],
    ["Z2M text sensor", "{{ value_json[\"action\"] | default('',True) | string | truncate(254, True, '', 0) }}", '{"action":"single"}', "single"],
    ["Z2M text sensor, null", "{{ value_json[\"action\"] | default('',True) | string | truncate(254, True, '', 0) }}", '{"action":null}', ""],
    ["Z2M text sensor, long", "{{ value_json[\"t\"] | default('',True) | string | truncate(4, True, '', 0) }}", '{"t":"abcdefgh"}', "abcd"],
    ["Z2M permit_join", "{{ value_json.permit_join | lower }}", '{"permit_join":true}', "true"],
    ["Z2M disabled device availability", '{{ "offline" }}', '{"state":"online"}', "offline"],
    ["OMG is_defined", "{{ value_json.tempc | is_defined }}", '{"id":"A4:C1","tempc":21.4,"hum":40}', 21.4],
    ["OMG pressure", "{{ float(value_json.pa) * 0.01 | is_defined }}", '{"pa":"101325"}', 1013.25],
    ["OMG in use", "{{ value_json.power | is_defined | float > 0 }}", '{"power":"3.5"}', true],
    ["OMG RN8209", "{% if value_json.power > 0.02 -%} on {% else %} off {%- endif %}", '{"power":0.01}', "off"],
    ["OMG BM2 volt", "{% if value_json.uuid is not defined and value_json.volt is defined -%} {{value_json.volt}} {%- endif %}", '{"volt":12.6}', "12.6"],
    ["rtl_433 temperature", "{{ value|float|round(1) }}", "21.36", 21.4],
    ["rtl_433 int", "{{ value|int }}", "87", 87],
    ["rtl_433 battery", "{{ ((float(value) * 99)|round(0)) + 1 }}", "1", 100],
    ["rtl_433 wind km/h", "{{ (float(value|float) * 3.6) | round(2) }}", "2.5", 9],
    ["| float", "{{ value_json.temperature | float }}", '{"temperature":"19.5"}', 19.5],
    ["float default", "{{ value_json.t | float(0) }}", '{"t":"n/a"}', 0],
    ["inline if", "{{ 'ON' if value_json.state else 'OFF' }}", '{"state":true}', "ON"],
    ["inline if, false", "{{ 'ON' if value_json.state else 'OFF' }}", '{"state":false}', "OFF"],
    ["upper", "{{ value | upper }}", "on", "ON"],
    ["in a dict", '{% if "running" in value_json and value_json["running"] %}moving{% else %}stopped{% endif %}', '{"running":true}', "moving"],
    ["Tasmota legacy", "{{value_json['AM2301']['Temperature']}}", '{"AM2301":{"Temperature":22.1}}', 22.1],
    ["a comment", "{# temperature #}{{ value_json.t }}", '{"t":1}', 1],
  ];
  for (const [who, template, payload, expected] of cases) {
    it(`${who}: ${template}`, () => {
      const result = run(template, payload);
      assert.deepEqual(result, { ok: true, value: expected });
    });
  }
});

describe("a message the template has no value in", () => {
  it("is_defined on a missing field skips the message (OpenMQTTGateway: one topic, many kinds of message)", () => {
    assert.deepEqual(run("{{ value_json.tempc | is_defined }}", '{"id":"A4:C1","rssi":-70}'), {
      ok: false,
      code: "skip",
      message: "tempc is not in this message",
    });
  });
  it("a missing field is named", () => {
    const result = run('{{ value_json["ENERGY"].Power }}', '{"ENERGY":{}}');
    assert.deepEqual(result, { ok: false, code: "missing", message: 'payload has no JSON field "ENERGY.Power"' });
  });
  it("| float of text fails, as in Home Assistant", () => {
    const result = run("{{ value | float }}", "warm");
    assert.equal(!result.ok && result.code, "error");
  });
  it("a payload that is not JSON has no value_json", () => {
    assert.deepEqual(run("{{ value_json.t }}", "warm"), { ok: false, code: "missing", message: "payload is not JSON" });
  });
});

describe("templates Hearth does not read are refused, naming the part", () => {
  const cases: Array<[template: string, part: RegExp]> = [
    ["{{ now().strftime('%Y-%m-%d') }}", /now\(\)/],
    ["{{ value_json.x | tojson }}", /filter tojson/],
    ["{% set v = value_json.x %}{{ v }}", /\{% set %\}/],
    ["{{ value_json['update'].get('progress', 'null') }}", /method \.get\(\)/],
    ["{{ states('sensor.x') }}", /states\(\)/],
    ["{% if value_json.x %}on", /endif/],
    ["{{ value_json.x ", /unclosed/],
    ["value_json.temperature", /no \{\{ \}\}/],
    ["{{ value_json.x | round(1, method='floor') }}", /=/],
  ];
  for (const [template, part] of cases) {
    it(template, () => {
      const parsed = parseTemplate(template);
      assert.equal(parsed.ok, false);
      assert.match(!parsed.ok ? parsed.notUnderstood : "", part);
    });
  }
});

describe("readsPayloadAsIs", () => {
  const as = (t: string) => {
    const parsed = parseTemplate(t);
    assert.ok(parsed.ok);
    return readsPayloadAsIs(parsed.template);
  };
  it("the payload through number filters is the reading itself", () => {
    assert.equal(as("{{ value }}"), true);
    assert.equal(as("{{ value|float|round(1) }}"), true);
    assert.equal(readsPayloadAsIs(null), true);
  });
  it("a field or a conversion is not", () => {
    assert.equal(as("{{ value_json.t }}"), false);
    assert.equal(as("{{ float(value|float) * 3.6 }}"), false);
  });
});

describe("readsJsonField", () => {
  const reads = (t: string) => {
    const parsed = parseTemplate(t);
    assert.ok(parsed.ok);
    return readsJsonField(parsed.template);
  };
  it("a field of the device's JSON, anywhere in the template, is one", () => {
    assert.equal(reads("{{ value_json.uptime }}"), true);
    assert.equal(reads('{{ value_json["ENERGY"]["Power"] }}'), true);
    assert.equal(reads("{{ float(value_json.pa) * 0.01 | is_defined }}"), true);
    assert.equal(reads("{% if value_json.power > 0.02 -%} on {% else %} off {%- endif %}"), true);
  });
  it("the value itself, converted or not, and Hearth's own {\"value\":…} are not", () => {
    assert.equal(readsJsonField(null), false);
    assert.equal(reads("{{ value | float / 1000 }}"), false);
    assert.equal(reads("{{ value_json.value | float }}"), false);
    assert.equal(reads('{{ value_json["value"] }}'), false);
  });
});
