#!/usr/bin/env python3
"""Runs Home Assistant's BTHome decoder (bthome-ble) over the BTHome adverts of a corpus
(tools/ble-corpus.py's format) and prints one JSON object per advert:
{"label": ..., "values": {key: [value, unit]}}, events as their type, binary sensors as
0/1, timestamps as seconds since the epoch. Each advert gets a fresh decoder with the
corpus key, as a device seen for the first time."""
import json
import logging
import sys
import time
from datetime import datetime

from bthome_ble import BTHomeBluetoothDeviceData
from habluetooth import BluetoothServiceInfoBleak

KEY = bytes.fromhex("231d39c1d7cc1ab1aee224cd096db932")
UUIDS = {0xFCD2: "0000fcd2-0000-1000-8000-00805f9b34fb", 0x181C: "0000181c-0000-1000-8000-00805f9b34fb",
         0x181E: "0000181e-0000-1000-8000-00805f9b34fb"}


def service_data(data):
    """The BTHome service data of an advert, as (uuid string, payload), else None."""
    index = 0
    while index < len(data):
        length = data[index]
        if length == 0 or index + 1 + length > len(data):
            return None
        kind = data[index + 1]
        payload = data[index + 2:index + 1 + length]
        if kind == 0x16 and len(payload) >= 2:
            uuid = payload[0] | payload[1] << 8
            if uuid in UUIDS:
                return UUIDS[uuid], bytes(payload[2:])
        index += 1 + length
    return None


logging.disable(logging.CRITICAL)
for line in open(sys.argv[1]):
    if line.startswith("#") or not line.strip():
        continue
    label, address, hexdata, _ = line.rstrip("\n").split("\t")
    found = service_data(bytes.fromhex(hexdata))
    if found is None:
        continue
    uuid, payload = found
    info = BluetoothServiceInfoBleak(name="corpus", address=address, rssi=-60, manufacturer_data={},
                                     service_data={uuid: payload}, service_uuids=[uuid], source="local",
                                     device=None, advertisement=None, connectable=False, time=time.monotonic(),
                                     tx_power=None)
    # The key only for encrypted adverts: with a key, bthome-ble ignores plaintext ones.
    encrypted = uuid == UUIDS[0x181E] or (uuid == UUIDS[0xFCD2] and payload[:1] and payload[0] & 1)
    try:
        update = BTHomeBluetoothDeviceData(bindkey=KEY if encrypted else None).update(info)
    except Exception as error:  # the reference itself fails on some malformed adverts
        print(json.dumps({"label": label, "error": type(error).__name__}))
        continue
    values = {}
    for key, value in update.entity_values.items():
        if key.key == "signal_strength":
            continue
        native = value.native_value
        if isinstance(native, datetime):
            native = native.timestamp()
        unit = update.entity_descriptions[key].native_unit_of_measurement
        values[key.key] = [native, str(unit) if unit is not None else None]
    for key, value in update.binary_entity_values.items():
        values["binary:" + key.key] = [1 if value.native_value else 0, None]
    for key, event in update.events.items():
        values["event:" + key.key] = [event.event_type, None]
    print(json.dumps({"label": label, "values": values}))
