"""Baseline publisher: paho-mqtt, the client the seed tools use. Prints messages/s.

Usage: paho_publisher.py PORT COUNT QOS. QoS 1 is complete when every PUBACK arrived,
QoS 0 when every message was written (paho calls on_publish then). Same payload, same
in-flight window (100) as the Switchyard benchmark.
"""
import sys
import threading
import time

import paho.mqtt.client as mqtt

port, count, qos = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
done = threading.Event()
window = threading.Semaphore(100)  # the same flow control as ours: at most 100 unacknowledged
published = 0


def on_publish(client, userdata, mid, reason_code=None, properties=None):
    global published
    published += 1
    window.release()
    if published == count:
        done.set()


client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"bench-paho-{qos}")
client.max_inflight_messages_set(100)
client.on_publish = on_publish
client.connect("127.0.0.1", port, 60)
client.loop_start()
payload = b'{"seq":0000000,"value":21.5,"unit":"C"}'
start = time.monotonic()
for _ in range(count):
    window.acquire()
    client.publish("bench/uplink", payload, qos=qos)
done.wait(120)
elapsed = time.monotonic() - start
client.loop_stop()
client.disconnect()
print(f"{count / elapsed:.0f}")
