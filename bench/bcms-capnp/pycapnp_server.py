#!/usr/bin/env python3
"""The baseline: a BCMS server in pycapnp (the original daemon's RPC library) doing the same
work as the gateway's door for list/isPaired: answering from a table of known devices.
Prints its port, then serves until killed.  usage: pycapnp_server.py DEVICES"""
import asyncio
import os
import sys

import capnp

SCHEMA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "Sources", "BLE", "bcms.capnp")
bcms_capnp = capnp.load(SCHEMA)


class BCMS(bcms_capnp.BCMS.Server):
    def __init__(self, devices):
        self.devices = devices

    async def list(self, onlyApproved, _context, **kwargs):
        chosen = [d for d in self.devices if d["approved"] or not onlyApproved]
        results = _context.results
        listed = results.init("devices", len(chosen))
        for slot, device in zip(listed, chosen):
            slot.address = device["address"]
            slot.name = device["name"]
            slot.approved = device["approved"]
            slot.paired = device["paired"]
        results.errors = []

    async def isPaired(self, address, _context, **kwargs):
        _context.results.status = any(d["address"] == address and d["paired"] for d in self.devices)
        _context.results.errors = []

    async def mode(self, _context, **kwargs):
        _context.results.mode = "approved"


async def main(count):
    devices = [{"address": "A4:C1:38:00:00:%02X" % n, "name": "", "approved": True, "paired": False}
               for n in range(count)]

    async def serve(stream):
        await capnp.TwoPartyServer(stream, bootstrap=BCMS(devices)).on_disconnect()

    server = await capnp.AsyncIoStream.create_server(serve, "127.0.0.1", 0)
    print(server.sockets[0].getsockname()[1], flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(capnp.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 10)))
