#!/usr/bin/env python3
"""relay.py PORT: stdin/stdout <-> 127.0.0.1:PORT. qemu's guestfwd starts one
per guest connection (cmd:), so the guest's restricted user network reaches
the boot test's drop box (nginx on the host's loopback) and nothing else."""
import os
import select
import socket
import sys

s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
fds = {0: s.fileno(), s.fileno(): 1}
open_in = True
while True:
    r, _, _ = select.select([0, s.fileno()] if open_in else [s.fileno()], [], [])
    for fd in r:
        data = os.read(fd, 65536)
        if not data:
            if fd == 0:
                open_in = False
                s.shutdown(socket.SHUT_WR)
                continue
            sys.exit(0)
        out = fds[fd]
        while data:
            n = os.write(out, data)
            data = data[n:]
