#!/usr/bin/env python3
"""The original BCMS's RPC client side, with pycapnp (the library the original CLI uses),
against a gateway's Cap'n Proto door. Prints one JSON object per step on stdout.

  bcms-capnp-client.py --port P scenario ADDRESS   every method, in the original CLI's way
  bcms-capnp-client.py --port P unknown            a method ordinal the schema lacks
  bcms-capnp-client.py --port P malformed          a bad message, then a good client again
  bcms-capnp-client.py --port P oversized          a too large message, then a good client
  bcms-capnp-client.py --port P bench N            N list() calls, prints calls/s
  bcms-capnp-client.py --port P capture DIR        writes the framed messages it sends
                                                   (for the fuzz seeds), via a relay

The schema is Sources/BLE/bcms.capnp: the original's file id, names and ordinals."""
import argparse
import asyncio
import json
import os
import socket
import struct
import sys
import tempfile
import time

import capnp

HERE = os.path.dirname(os.path.abspath(__file__))
SCHEMA = os.path.join(HERE, "..", "Sources", "BLE", "bcms.capnp")


def out(step, **values):
    print(json.dumps({"step": step, **values}), flush=True)


def devices(result):
    return [{"address": d.address, "name": d.name, "approved": d.approved, "paired": d.paired}
            for d in result.devices]


async def connect(port, schema):
    stream = await capnp.AsyncIoStream.create_connection(host="127.0.0.1", port=port)
    client = capnp.TwoPartyClient(stream)
    return client, client.bootstrap().cast_as(schema.BCMS)


async def scenario(port, address):
    bcms_schema = capnp.load(SCHEMA)
    client, bcms = await connect(port, bcms_schema)
    # The first call goes out before the bootstrap's answer: pipelined on its promise.
    first = await bcms.mode()
    out("mode", mode=str(first.mode))
    listed = await bcms.list(onlyApproved=False)
    out("list", devices=devices(listed), errors=list(listed.errors))
    for step, method in (("approve", "approve"), ("isPairedBefore", "isPaired"), ("pair", "pair"),
                         ("isPairedAfterPair", "isPaired"), ("unpair", "unpair"), ("isPaired", "isPaired")):
        result = await getattr(bcms, method)(address=address)
        out(step, status=result.status, errors=list(result.errors))
    listed = await bcms.list(onlyApproved=True)
    out("listApproved", devices=devices(listed), errors=list(listed.errors))
    for mode in ("approved", "any"):
        result = await bcms.setMode(mode=mode)
        out("setMode", mode=mode, status=result.status, errors=list(result.errors))
    result = await bcms.approve(address="zz")
    out("approveBad", status=result.status, errors=list(result.errors))
    result = await bcms.remove(address=address)
    out("remove", status=result.status, errors=list(result.errors))
    listed = await bcms.list(onlyApproved=True)
    out("listAfterRemove", devices=devices(listed), errors=list(listed.errors))


async def unknown(port):
    # The same interface id with one method more than the original has.
    with open(SCHEMA) as original:
        methods = [line for line in original.read().split("interface BCMS {", 1)[1].splitlines()
                   if line.strip().startswith(("list", "approve", "remove", "mode", "setMode", "pair", "unpair", "isPaired"))]
    with tempfile.NamedTemporaryFile("w", suffix=".capnp", delete=False) as schema_file:
        schema_file.write("@0xd6f1c3b2a4e5f701;\n"
                          "struct BCMSDeviceInfo { address @0 :Text; name @1 :Text; approved @2 :Bool; paired @3 :Bool; }\n"
                          "enum BCMSWorkingMode { any @0; approved @1; }\n"
                          "interface BCMS @0xa1e9d9c774c23b6a {\n" + "\n".join(methods) + "\n  explode @8 () -> ();\n}\n")
    schema = capnp.load(schema_file.name)
    os.unlink(schema_file.name)
    client, bcms = await connect(port, schema)
    try:
        await bcms.explode()
        out("explode", outcome="answered")
    except capnp.KjException as error:
        out("explode", outcome="exception", type=str(error.type), description=error.description)
    # The connection is still up: the next call on it works.
    result = await bcms.list(onlyApproved=False)
    out("afterUnknown", errors=list(result.errors))


def raw_exchange(port, payload):
    """Sends raw bytes; returns what came back before the gateway closed, or None if it did not."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    sock.sendall(payload)
    received = b""
    try:
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                return received
            received += chunk
    except ConnectionResetError:
        # Closed with our unread bytes still queued: the kernel resets instead.
        return received
    except socket.timeout:
        return None
    finally:
        sock.close()


async def bad_message(port, payload, name):
    # A client that stays connected meanwhile must not notice.
    schema = capnp.load(SCHEMA)
    client, bcms = await connect(port, schema)
    await bcms.mode()
    received = raw_exchange(port, payload)
    result = await bcms.list(onlyApproved=False)
    out(name, closed=received is not None, answerBytes=0 if received is None else len(received),
        otherConnectionWorks=result.errors is not None)


def malformed_payload():
    # One segment of 2 words: the root points at a struct of 8 data words (out of bounds).
    root = struct.pack("<Q", (8 << 32))
    return struct.pack("<II", 0, 2) + root + b"\0" * 8


def oversized_payload():
    # A header announcing one segment of 1,000,000 words (8 MB), and its first bytes.
    return struct.pack("<II", 0, 1_000_000) + b"\0" * 4096


async def bench(port, count):
    schema = capnp.load(SCHEMA)
    client, bcms = await connect(port, schema)
    await bcms.mode()
    start = time.perf_counter()
    for _ in range(count):
        await bcms.list(onlyApproved=False)
    elapsed = time.perf_counter() - start
    # 32 calls in flight at a time on the same connection.
    batch = 32
    begun = time.perf_counter()
    for _ in range(count // batch):
        await asyncio.gather(*(bcms.list(onlyApproved=False) for _ in range(batch)))
    pipelined = time.perf_counter() - begun
    out("bench", calls=count, seconds=elapsed, callsPerSecond=count / elapsed,
        pipelinedPerSecond=(count // batch) * batch / pipelined)


async def capture(port, directory, address):
    """Runs the scenario through a relay that writes each framed message the client sends."""
    os.makedirs(directory, exist_ok=True)
    counter = [0]

    async def relay(reader, writer):
        upstream_reader, upstream_writer = await asyncio.open_connection("127.0.0.1", port)

        async def pump(source, sink, record):
            buffer = b""
            while True:
                data = await source.read(65536)
                if not data:
                    sink.close()
                    return
                sink.write(data)
                if record:
                    buffer += data
                    while len(buffer) >= 8:
                        count = struct.unpack_from("<I", buffer)[0] + 1
                        header = (4 + 4 * count + 7) & ~7
                        if len(buffer) < header:
                            break
                        words = sum(struct.unpack_from("<%dI" % count, buffer, 4))
                        if len(buffer) < header + words * 8:
                            break
                        counter[0] += 1
                        with open(os.path.join(directory, "pycapnp-%02d" % counter[0]), "wb") as seed:
                            seed.write(buffer[:header + words * 8])
                        buffer = buffer[header + words * 8:]

        await asyncio.gather(pump(reader, upstream_writer, True), pump(upstream_reader, writer, False))

    server = await asyncio.start_server(relay, "127.0.0.1", 0)
    relay_port = server.sockets[0].getsockname()[1]
    await scenario(relay_port, address)
    server.close()
    out("capture", messages=counter[0])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=4567)
    parser.add_argument("action")
    parser.add_argument("argument", nargs="?")
    args = parser.parse_args()
    if args.action == "scenario":
        job = scenario(args.port, args.argument or "A4:C1:38:00:00:01")
    elif args.action == "unknown":
        job = unknown(args.port)
    elif args.action == "malformed":
        job = bad_message(args.port, malformed_payload(), "malformed")
    elif args.action == "oversized":
        job = bad_message(args.port, oversized_payload(), "oversized")
    elif args.action == "bench":
        job = bench(args.port, int(args.argument or "2000"))
    elif args.action == "capture":
        job = capture(args.port, args.argument, "A4:C1:38:00:00:01")
    else:
        parser.error("unknown action " + args.action)
    asyncio.run(capnp.run(job))


if __name__ == "__main__":
    sys.exit(main())
