"""The root shell a boot-test group runs in the guest: board/qemu-virt/init.sh starts it on a
PCI 16550 that qemu wires to a unix socket on the host. Shared by the groups that need one
(bluetooth, wifi), each on its own port and socket."""

import re
import socket
import time


class GuestShell:
    """Mixed into a group's host-side class, which sets `shell_path` (the socket of this boot),
    `shell_socket` (None until the first command of a boot), `sequence`, `log` and `MARKER`."""

    MARKER = "__sy_done_"

    def shell(self, command, timeout=30):
        """Runs `command` in the guest's test shell; (exit status, output), status None on
        timeout. The end marker is put together by the shell (so the tty's echo of the line
        never matches it) and read up to its line end (a status may come in the next read)."""
        if self.shell_socket is None:
            self.shell_socket = socket.socket(socket.AF_UNIX)
            self.shell_socket.connect(self.shell_path)
            self.shell_socket.settimeout(1)
        self.sequence += 1
        marker = f"{self.MARKER}{self.sequence}__"
        self.shell_socket.sendall(f"{command}; echo {self.MARKER}\"\"{self.sequence}__ $?\n".encode())
        output = b""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                chunk = self.shell_socket.recv(4096)
            except socket.timeout:
                continue
            if not chunk:
                break
            output += chunk
            text = output.decode("utf-8", "replace")
            done = re.search(re.escape(marker) + r" (\d+)\r?\n", text)
            if done:
                before = text[:done.start()]
                self.log.write(f"$ {command}\n{before}[{done.group(1)}]\n")
                return int(done.group(1)), before
        self.log.write(f"$ {command}\n{output!r} [timeout]\n")
        return None, output.decode("utf-8", "replace")
