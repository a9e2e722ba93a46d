#!/usr/bin/env python3
"""The kernel's Bluetooth mgmt channel, simulated on a Unix SOCK_SEQPACKET socket.

Speaks the mgmt packets byte for byte as the kernel does on an HCI CONTROL socket (BlueZ
doc/mgmt-api.txt): one packet per message, header {le16 code, le16 index, le16 length} then
the parameters. The gateway reaches it through `ble.mgmt_socket` instead of the kernel, so
pairing can be tested without an adapter. Prints the socket path on the first line of stdout
once it listens, then serves any number of connections:

  Set IO Capability 0x0018, Set Bondable 0x0009   Command Complete (Set Bondable returns
                                                  the settings: powered, bondable, LE)
  Load Long Term Keys 0x0013, Load IRKs 0x0030    Command Complete; the keys replace the
                                                  simulated kernel's and are recorded
  Pair Device 0x0019                              after --delay seconds: New Identity Resolving
                                                  Key (random addresses), New Long Term Key
                                                  (Store_Hint 1), then Command Complete
                                                  {addr_info}; Already Paired (0x13) when the
                                                  device has a key
  Cancel Pair Device 0x001A                       the pending pairing completes as Cancelled
                                                  (0x10), then the cancel itself; Invalid
                                                  Parameters (0x0d) when nothing is pending
  Unpair Device 0x001B                            its keys dropped, Command Complete; Not
                                                  Paired (0x06) when it had none
  anything else                                   Command Status, Unknown Command (0x01)
  a length that does not match                    dropped (the kernel fails the write)

Faults and events from stdin (or --fault):
  fault none|auth|silent|already|nobond|confirm
                                          auth: Authentication Failed event + status 0x05;
                                          silent: never answer a pairing (timeouts);
                                          already: answer 0x13; nobond: keys with Store_Hint 0;
                                          confirm: as Debian's 6.1 kernel does, the initiating
                                          side of a Just Works pairing gets a User Confirmation
                                          Request (confirm_hint 1) and the pairing waits for
                                          User Confirmation (Negative) Reply 0x001C/0x001D
  delay SECONDS                           how long a pairing takes
  unpaired MAC [public|random]            a Device Unpaired event (another mgmt user unpaired)
  readd                                   the adapter removed and added back, as the kernel
                                          does it: its keys are gone, and Index Added (no
                                          parameters) goes to every connection
  raw HEX                                 bytes sent as one packet to every connection
  quit

--record FILE logs what arrived: "CMD <opcode> <index> <params hex>", "PAIR <MAC> <type>",
"KEY ltk|irk <MAC> <value hex>", "LOADED ltk|irk <count> [<MAC>=<value hex> ...]",
"CANCEL <MAC>", "UNPAIR <MAC>", "BAD <why>". Keys are test data: the simulator logs them so a
test can check the gateway handed back exactly what it was given.
Standard library only: a test and development tool, not firmware.
"""
import argparse
import os
import select
import socket
import sys
import tempfile
import time

CMD_COMPLETE, CMD_STATUS, EV_INDEX_ADDED = 0x0001, 0x0002, 0x0004
EV_NEW_LTK, EV_AUTH_FAILED, EV_DEVICE_UNPAIRED, EV_NEW_IRK = 0x000A, 0x0011, 0x0016, 0x0018
EV_USER_CONFIRM_REQUEST, OP_USER_CONFIRM_REPLY, OP_USER_CONFIRM_NEG_REPLY = 0x000F, 0x001C, 0x001D
OP_SET_BONDABLE, OP_LOAD_LTK, OP_SET_IO_CAP = 0x0009, 0x0013, 0x0018
OP_PAIR, OP_CANCEL_PAIR, OP_UNPAIR, OP_LOAD_IRKS = 0x0019, 0x001A, 0x001B, 0x0030
SETTINGS = (1 << 0) | (1 << 4) | (1 << 9)  # powered, bondable, LE
TYPES = {"public": 1, "random": 2}


def mac_text(wire):
    return ":".join("%02X" % b for b in reversed(wire))


def mac_wire(text):
    return bytes(reversed(bytes.fromhex(text.replace(":", ""))))


def packet(code, index, params=b""):
    return code.to_bytes(2, "little") + index.to_bytes(2, "little") + len(params).to_bytes(2, "little") + params


class Kernel:
    """The simulated kernel: its keys, pending pairings and scheduled replies."""

    def __init__(self, record, delay, fault):
        self.record = record
        self.delay = delay
        self.fault = fault
        self.ltks = {}  # addr_info bytes -> LTK record (36 bytes)
        self.irks = {}  # addr_info bytes -> IRK record (23 bytes)
        self.pending = {}  # (conn, addr_info) -> due time or None (silent)
        self.conns = []
        self.outq = {}  # conn -> [bytes]

    def log(self, line):
        if self.record:
            self.record.write(line + "\n")
            self.record.flush()

    def send(self, conn, data):
        self.outq.setdefault(conn, []).append(data)

    def broadcast(self, data):
        for conn in self.conns:
            self.send(conn, data)

    def complete(self, conn, index, opcode, status, data=b""):
        self.send(conn, packet(CMD_COMPLETE, index, opcode.to_bytes(2, "little") + bytes([status]) + data))

    def status(self, conn, index, opcode, status):
        self.send(conn, packet(CMD_STATUS, index, opcode.to_bytes(2, "little") + bytes([status])))

    def command(self, conn, data):
        if len(data) < 6:
            self.log("BAD short packet %s" % data.hex())
            return
        opcode = int.from_bytes(data[0:2], "little")
        index = int.from_bytes(data[2:4], "little")
        length = int.from_bytes(data[4:6], "little")
        params = data[6:]
        if len(params) != length:
            self.log("BAD length %d for %d bytes" % (length, len(params)))
            return
        self.log("CMD %04x %d %s" % (opcode, index, params.hex()))
        if opcode in (OP_SET_IO_CAP, OP_SET_BONDABLE):
            if length != 1 or params[0] > (4 if opcode == OP_SET_IO_CAP else 1):
                return self.status(conn, index, opcode, 0x0D)
            extra = SETTINGS.to_bytes(4, "little") if opcode == OP_SET_BONDABLE else b""
            return self.complete(conn, index, opcode, 0, extra)
        if opcode in (OP_LOAD_LTK, OP_LOAD_IRKS):
            size = 36 if opcode == OP_LOAD_LTK else 23
            count = int.from_bytes(params[0:2], "little") if length >= 2 else -1
            if count < 0 or length != 2 + count * size:
                return self.status(conn, index, opcode, 0x0D)
            records = [params[2 + i * size:2 + (i + 1) * size] for i in range(count)]
            table = {r[0:7]: r for r in records}
            if opcode == OP_LOAD_LTK:
                self.ltks = table
            else:
                self.irks = table
            kind = "ltk" if opcode == OP_LOAD_LTK else "irk"
            keys = " ".join("%s=%s" % (mac_text(r[0:6]), r[-16:].hex()) for r in records)
            self.log(("LOADED %s %d %s" % (kind, count, keys)).rstrip())
            return self.complete(conn, index, opcode, 0)
        if opcode in (OP_PAIR, OP_CANCEL_PAIR, OP_UNPAIR):
            want = {OP_PAIR: 8, OP_CANCEL_PAIR: 7, OP_UNPAIR: 8}[opcode]
            if length != want or params[6] not in (0, 1, 2):
                return self.status(conn, index, opcode, 0x0D)
            addr = bytes(params[0:7])
            if opcode == OP_PAIR:
                self.log("PAIR %s %d" % (mac_text(addr[0:6]), addr[6]))
                if (conn, addr) in self.pending:
                    return self.complete(conn, index, opcode, 0x0A, addr)  # busy
                if self.fault == "already" or addr in self.ltks:
                    return self.complete(conn, index, opcode, 0x13, addr)
                if self.fault == "confirm":
                    self.send(conn, packet(EV_USER_CONFIRM_REQUEST, index, addr + bytes([1]) + bytes(4)))
                    self.pending[(conn, addr)] = (None, index)
                    return
                due = None if self.fault == "silent" else time.monotonic() + self.delay
                self.pending[(conn, addr)] = (due, index)
                return
            if opcode == OP_CANCEL_PAIR:
                self.log("CANCEL %s" % mac_text(addr[0:6]))
                if self.pending.pop((conn, addr), None) is None:
                    return self.complete(conn, index, opcode, 0x0D, addr)
                self.complete(conn, index, OP_PAIR, 0x10, addr)
                return self.complete(conn, index, opcode, 0, addr)
            self.log("UNPAIR %s" % mac_text(addr[0:6]))
            had = self.ltks.pop(addr, None) is not None
            had = self.irks.pop(addr, None) is not None or had
            for other in self.conns:
                if other is not conn and had:
                    self.send(other, packet(EV_DEVICE_UNPAIRED, index, addr))
            return self.complete(conn, index, opcode, 0 if had else 0x06, addr)
        if opcode in (OP_USER_CONFIRM_REPLY, OP_USER_CONFIRM_NEG_REPLY):
            addr = bytes(params[0:7])
            self.log("CONFIRM %s %s" % (mac_text(addr[0:6]), "yes" if opcode == OP_USER_CONFIRM_REPLY else "no"))
            if length != 7 or (conn, addr) not in self.pending:
                return self.complete(conn, index, opcode, 0x0D, addr)
            self.complete(conn, index, opcode, 0, addr)
            if opcode == OP_USER_CONFIRM_NEG_REPLY:
                del self.pending[(conn, addr)]
                self.send(conn, packet(EV_AUTH_FAILED, index, addr + bytes([0x05])))
                return self.complete(conn, index, OP_PAIR, 0x05, addr)
            self.pending[(conn, addr)] = (time.monotonic() + self.delay, index)
            return
        return self.status(conn, index, opcode, 0x01)

    def due(self, now):
        for key, (due, index) in list(self.pending.items()):
            if due is None or now < due:
                continue
            del self.pending[key]
            conn, addr = key
            if self.fault == "auth":
                self.send(conn, packet(EV_AUTH_FAILED, index, addr + bytes([0x05])))
                self.complete(conn, index, OP_PAIR, 0x05, addr)
                continue
            hint = 0 if self.fault == "nobond" else 1
            if addr[6] == 2:
                irk = addr + os.urandom(16)
                # A static random address: no resolvable address to report (zeros).
                self.send(conn, packet(EV_NEW_IRK, index, bytes([hint]) + bytes(6) + irk))
                self.log("KEY irk %s %s" % (mac_text(addr[0:6]), irk[-16:].hex()))
                if hint:
                    self.irks[addr] = irk
            # LE Secure Connections, NoInputNoOutput: one unauthenticated P-256 key (type 2).
            ltk = addr + bytes([0x02, 0x00, 16]) + bytes(2) + bytes(8) + os.urandom(16)
            self.send(conn, packet(EV_NEW_LTK, index, bytes([hint]) + ltk))
            self.log("KEY ltk %s %s" % (mac_text(addr[0:6]), ltk[-16:].hex()))
            if hint:
                self.ltks[addr] = ltk
            self.complete(conn, index, OP_PAIR, 0, addr)

    def drop(self, conn):
        self.log("DISCONNECT")
        self.conns.remove(conn)
        self.outq.pop(conn, None)
        for key in [k for k in self.pending if k[0] is conn]:
            del self.pending[key]
        conn.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--socket", help="path to listen on (default: a new temporary directory's mgmt.sock)")
    parser.add_argument("--delay", type=float, default=0.5, help="seconds a pairing takes")
    parser.add_argument("--fault", default="none", choices=["none", "auth", "silent", "already", "nobond", "confirm"])
    parser.add_argument("--record", help="file to log what arrived to")
    parser.add_argument("--exit-on-eof", action="store_true", help="exit when stdin closes (tests)")
    args = parser.parse_args()

    path = args.socket or os.path.join(tempfile.mkdtemp(prefix="mgmt-sim-"), "mgmt.sock")
    if os.path.exists(path):
        os.unlink(path)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    listener.bind(path)
    listener.listen(8)
    listener.setblocking(False)
    record = open(args.record, "a") if args.record else None
    kernel = Kernel(record, args.delay, args.fault)
    print(path, flush=True)
    stdin_open = True
    stdin_buf = b""
    try:
        while True:
            now = time.monotonic()
            waits = [d for d, _ in kernel.pending.values() if d is not None]
            timeout = max(0.0, min([0.2] + [d - now for d in waits]))
            readers = [listener] + kernel.conns + ([sys.stdin] if stdin_open else [])
            writers = [c for c in kernel.conns if kernel.outq.get(c)]
            readable, writable, _ = select.select(readers, writers, [], timeout)
            if listener in readable:
                conn, _ = listener.accept()
                conn.setblocking(False)
                kernel.conns.append(conn)
                kernel.log("CONNECT")
            for conn in [c for c in readable if c in kernel.conns]:
                try:
                    data = conn.recv(65542)
                except (BlockingIOError, InterruptedError):
                    continue
                except OSError:
                    data = b""
                if not data:
                    kernel.drop(conn)
                    continue
                kernel.command(conn, data)
            if sys.stdin in readable:
                chunk = os.read(sys.stdin.fileno(), 65536)
                if not chunk:
                    stdin_open = False
                    if args.exit_on_eof:
                        break
                stdin_buf += chunk
                quit_now = False
                while b"\n" in stdin_buf:
                    raw, _, stdin_buf = stdin_buf.partition(b"\n")
                    words = raw.decode(errors="replace").split()
                    if not words:
                        continue
                    if words[0] == "quit":
                        quit_now = True
                    elif words[0] == "fault" and len(words) > 1:
                        kernel.fault = words[1]
                    elif words[0] == "delay" and len(words) > 1:
                        kernel.delay = float(words[1])
                    elif words[0] == "unpaired" and len(words) > 1:
                        addr = mac_wire(words[1]) + bytes([TYPES.get(words[2] if len(words) > 2 else "public", 1)])
                        kernel.ltks.pop(addr, None)
                        kernel.irks.pop(addr, None)
                        kernel.broadcast(packet(EV_DEVICE_UNPAIRED, 0, addr))
                    elif words[0] == "readd":
                        kernel.ltks.clear()
                        kernel.irks.clear()
                        kernel.broadcast(packet(EV_INDEX_ADDED, 0))
                    elif words[0] == "raw" and len(words) > 1:
                        kernel.broadcast(bytes.fromhex(words[1]))
                    kernel.log("STDIN " + " ".join(words))
                if quit_now:
                    break
            kernel.due(time.monotonic())
            for conn in list(kernel.conns):
                queue = kernel.outq.get(conn, [])
                while queue:
                    try:
                        conn.send(queue[0])
                    except BlockingIOError:
                        break
                    except OSError:
                        kernel.drop(conn)
                        break
                    queue.pop(0)
    finally:
        listener.close()
        if os.path.exists(path):
            os.unlink(path)


if __name__ == "__main__":
    main()
