"""Connects to an MQTT broker the way Home Assistant's MQTT integration does, with
Debian's python3-paho-mqtt 1.6.1 (the library Home Assistant uses): MQTT 5, clean
start, a will on its status topic, a birth message once connected, and a
subscription to the discovery prefix. Prints one JSON line per event it sees, so the
conformance suite (e2e/conformance/cases-clients.ts) can compare brokers.

usage: home-assistant.py <host> <port> <tcp|websockets> <client-id> <status-topic> <discovery-prefix>
"""
import json
import sys

import paho.mqtt.client as mqtt
from paho.mqtt.subscribeoptions import SubscribeOptions

host, port, transport, client_id, status_topic, discovery_prefix = sys.argv[1:7]


def emit(event, **fields):
    print(json.dumps({"event": event, **fields}), flush=True)


client = mqtt.Client(client_id=client_id, protocol=mqtt.MQTTv5, transport=transport)
if transport == "websockets":
    client.ws_set_options(path="/mqtt")
client.will_set(status_topic, "offline", qos=1, retain=False)


def on_connect(client, userdata, flags, reason, properties):
    emit("connack", reason=reason.value, session_present=bool(flags.get("session present")))
    client.subscribe([(f"{discovery_prefix}/#", SubscribeOptions(qos=1))])


def on_subscribe(client, userdata, mid, reasons, properties):
    emit("suback", reasons=[r.value for r in reasons])
    # The birth message: Home Assistant announces itself once its subscriptions are in place.
    client.publish(status_topic, "online", qos=1, retain=False)


def on_message(client, userdata, message):
    emit("message", topic=message.topic, payload=message.payload.decode("utf-8", "replace"), retain=bool(message.retain))


def on_disconnect(client, userdata, reason, properties=None):
    emit("disconnect", reason=getattr(reason, "value", reason))


client.on_connect = on_connect
client.on_subscribe = on_subscribe
client.on_message = on_message
client.on_disconnect = on_disconnect
client.connect(host, int(port), keepalive=60, clean_start=True)
client.loop_forever()
