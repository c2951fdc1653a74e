"""One qemu boot under software emulation (TCG), driven from the host.

HIFAZAT_QEMU_ACCEL=kvm (opt-in, for developers' fast iteration where
/dev/kvm works) boots with KVM and the host's CPU instead; TCG stays the
default so CI measures what it always measured.

Serial console, QMP and the test agent's virtio port are unix sockets that
reader threads keep draining until qemu exits (a guest blocks on a full
serial line otherwise). Every boot has a hard deadline after which qemu is
killed, so a hung guest cannot eat the CI budget.
"""
import base64
import json
import os
import re
import socket
import subprocess
import threading
import time

OVMF_CODE = "/usr/share/OVMF/OVMF_CODE_4M.fd"
OVMF_VARS = "/usr/share/OVMF/OVMF_VARS_4M.fd"
# Secure Boot as Windows PCs ship: OVMF built with SMM (so the variables
# cannot be changed from the OS) and Microsoft's keys enrolled in its
# variables (PK/KEK, db with Microsoft's UEFI CA, which signs shim).
OVMF_CODE_SB = "/usr/share/OVMF/OVMF_CODE_4M.ms.fd"
OVMF_VARS_SB = "/usr/share/OVMF/OVMF_VARS_4M.ms.fd"


class BootError(Exception):
    pass


def _connect(path, deadline):
    while True:
        try:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.connect(path)
            return s
        except OSError:
            s.close()
            if time.monotonic() > deadline:
                raise BootError(f"cannot connect to {path}")
            time.sleep(0.05)


class VM:
    def __init__(self, name, rundir, disk, firmware="bios", boot_bus="usb",
                 snapshot=False, agent=True, sticks=(), width=1280, height=800,
                 hard_timeout=600, memory=1024, nic=True, guestfwd="", decoys=()):
        self.name, self.rundir, self.disk = name, rundir, disk
        self.firmware, self.boot_bus, self.snapshot = firmware, boot_bus, snapshot
        self.with_agent, self.sticks = agent, list(sticks)
        self.width, self.height, self.hard_timeout, self.memory = width, height, hard_timeout, memory
        self.nic = nic
        # other sticks plugged in before the kiosk's own (USB): they must not
        # be booted from or taken for the kiosk's parts
        self.decoys = list(decoys)
        # "tcp:ADDR:PORT-cmd:COMMAND": guest connections to ADDR:PORT go to a
        # command qemu starts for each (no commas in it)
        self.guestfwd = guestfwd
        os.makedirs(rundir, exist_ok=True)
        self.serial_log = os.path.join(rundir, "serial.log")
        self.audio_wav = os.path.join(rundir, "audio.wav")
        self.serial_buf = ""
        self.serial_lock = threading.Condition()
        self.agent_lines = []
        self.agent_cond = threading.Condition()
        self.qmp_replies = []
        self.qmp_cond = threading.Condition()
        self.t0 = None
        self.proc = None
        self.killed_by_timeout = False

    # ---- start / stop ---------------------------------------------------
    def command(self):
        r = self.rundir
        snap = ",snapshot=on" if self.snapshot else ""
        accel = os.environ.get("HIFAZAT_QEMU_ACCEL", "tcg")
        machine = "q35,smm=on" if self.firmware == "uefi-sb" else "q35"
        cmd = ["qemu-system-x86_64", "-machine", machine, "-accel", accel, "-m", str(self.memory),
               "-smp", "2", "-display", "none", "-no-reboot",
               "-device", "virtio-rng-pci",
               "-vga", "none", "-device", f"VGA,xres={self.width},yres={self.height},edid=on",
               "-chardev", f"socket,id=ser0,path={r}/serial.sock,server=on,wait=off",
               "-serial", "chardev:ser0",
               "-qmp", f"unix:{r}/qmp.sock,server=on,wait=off",
               "-audiodev", f"wav,id=snd0,path={self.audio_wav}",
               "-device", "intel-hda", "-device", "hda-duplex,audiodev=snd0",
               "-device", "qemu-xhci,id=xhci"]
        if accel == "kvm":
            # the host CPU, minus an MSR nested KVM (cloud VMs) refuses to set
            cmd += ["-cpu", "host,arch-capabilities=off"]
        if self.nic:
            # user-mode network, isolated (restrict=on): DHCP from qemu, no way out
            # (restrict=on); a guestfwd is the one way out when given
            fwd = f",guestfwd={self.guestfwd}" if self.guestfwd else ""
            cmd += ["-netdev", f"user,id=n0,restrict=on{fwd}", "-device", "virtio-net-pci,netdev=n0,romfile="]
        else:
            cmd += ["-nic", "none"]     # qemu adds a default NIC otherwise
        if self.firmware in ("uefi", "uefi-sb"):
            sb = self.firmware == "uefi-sb"
            vars_fd = os.path.join(r, "OVMF_VARS.fd")
            with open(OVMF_VARS_SB if sb else OVMF_VARS, "rb") as src, open(vars_fd, "wb") as dst:
                dst.write(src.read())
            if sb:
                cmd += ["-global", "driver=cfi.pflash01,property=secure,value=on"]
            cmd += ["-drive", f"if=pflash,format=raw,unit=0,readonly=on,file={OVMF_CODE_SB if sb else OVMF_CODE}",
                    "-drive", f"if=pflash,format=raw,unit=1,file={vars_fd}"]
        for i, img in enumerate(self.decoys):
            cmd += ["-drive", f"if=none,id=decoy{i},file={img},format=raw",
                    "-device", f"usb-storage,bus=xhci.0,drive=decoy{i},id=decoydev{i},removable=on"]
        cmd += ["-drive", f"if=none,id=boot,file={self.disk},format=raw{snap}"]
        if self.boot_bus == "usb":
            cmd += ["-device", "usb-storage,bus=xhci.0,drive=boot,bootindex=0"]
        else:
            cmd += ["-device", "virtio-blk-pci,drive=boot,bootindex=0"]
        for i, img in enumerate(self.sticks):
            cmd += ["-drive", f"if=none,id=stick{i},file={img},format=raw",
                    "-device", f"usb-storage,bus=xhci.0,drive=stick{i},id=stickdev{i},removable=on"]
        if self.with_agent:
            cmd += ["-device", "virtio-serial-pci",
                    "-chardev", f"socket,id=agent,path={r}/agent.sock,server=on,wait=off",
                    "-device", "virtserialport,chardev=agent,name=org.hifazat.test"]
        return cmd

    def start(self):
        for f in ("serial.sock", "qmp.sock", "agent.sock", "serial.log", "audio.wav"):
            try:
                os.unlink(os.path.join(self.rundir, f))
            except FileNotFoundError:
                pass
        cmd = self.command()
        with open(os.path.join(self.rundir, "qemu.cmd"), "w") as f:
            f.write(" ".join(cmd) + "\n")
        self.t0 = time.monotonic()
        self.qemu_log = open(os.path.join(self.rundir, "qemu.log"), "w")
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=self.qemu_log,
                                     stderr=subprocess.STDOUT)
        self.deadline = self.t0 + self.hard_timeout
        self.watchdog = threading.Timer(self.hard_timeout, self._timeout_kill)
        self.watchdog.daemon = True
        self.watchdog.start()
        d = time.monotonic() + 20
        self.ser = _connect(f"{self.rundir}/serial.sock", d)
        self.qmp_sock = _connect(f"{self.rundir}/qmp.sock", d)
        threading.Thread(target=self._read_serial, daemon=True).start()
        threading.Thread(target=self._read_qmp, daemon=True).start()
        if self.with_agent:
            self.agent_sock = _connect(f"{self.rundir}/agent.sock", d)
            threading.Thread(target=self._read_agent, daemon=True).start()
        self.qmp("qmp_capabilities")

    def _timeout_kill(self):
        if self.proc and self.proc.poll() is None:
            self.killed_by_timeout = True
            self.proc.kill()

    def elapsed(self):
        return time.monotonic() - self.t0

    def alive(self):
        return self.proc.poll() is None

    def wait_exit(self, timeout):
        try:
            self.proc.wait(timeout=timeout)
            return True
        except subprocess.TimeoutExpired:
            return False

    def stop(self):
        if self.proc and self.proc.poll() is None:
            try:
                self.qmp("quit", timeout=5)
            except Exception:
                pass
            if not self.wait_exit(10):
                self.proc.kill()
                self.proc.wait()
        self.watchdog.cancel()
        self.qemu_log.close()

    # ---- serial console ---------------------------------------------------
    def _read_serial(self):
        with open(self.serial_log, "w", errors="replace") as log:
            while True:
                try:
                    data = self.ser.recv(65536)
                except OSError:
                    data = b""
                if not data:
                    break
                text = data.decode("utf-8", "replace")
                log.write(text)
                log.flush()
                with self.serial_lock:
                    self.serial_buf += text
                    self.serial_lock.notify_all()
        with self.serial_lock:
            self.serial_lock.notify_all()

    def wait_serial(self, pattern, timeout, since=0):
        """Seconds since qemu started when pattern appeared (at or after
        offset `since` of the serial text), or None. The serial text comes
        in pieces: a pattern whose end could match inside a line must end
        with \\r?\\n, or it may match a line half received."""
        rx = re.compile(pattern)
        end = min(time.monotonic() + timeout, self.deadline)
        with self.serial_lock:
            while True:
                if rx.search(self.serial_buf, since):
                    return self.elapsed()
                left = end - time.monotonic()
                if left <= 0 or not self.alive():
                    return None
                self.serial_lock.wait(min(left, 0.5))

    def serial_text(self):
        with self.serial_lock:
            return self.serial_buf

    # ---- QMP --------------------------------------------------------------
    def _read_qmp(self):
        f = self.qmp_sock.makefile("rb")
        try:
            for line in f:
                try:
                    msg = json.loads(line)
                except ValueError:
                    continue
                if "event" in msg:
                    continue
                with self.qmp_cond:
                    self.qmp_replies.append(msg)
                    self.qmp_cond.notify_all()
        except OSError:
            pass
        with self.qmp_cond:
            self.qmp_cond.notify_all()

    def qmp(self, cmd, timeout=30, **args):
        msg = {"execute": cmd}
        if args:
            msg["arguments"] = args
        with self.qmp_cond:
            self.qmp_replies.clear()
            self.qmp_sock.sendall(json.dumps(msg).encode() + b"\n")
            end = time.monotonic() + timeout
            while not self.qmp_replies:
                left = end - time.monotonic()
                if left <= 0 or not self.alive():
                    raise BootError(f"QMP {cmd}: no reply")
                self.qmp_cond.wait(min(left, 0.5))
            reply = self.qmp_replies.pop(0)
        if "error" in reply:
            raise BootError(f"QMP {cmd}: {reply['error']}")
        return reply.get("return")

    def screendump(self, png):
        ppm = png[:-4] + ".ppm"
        self.qmp("screendump", filename=ppm)
        for _ in range(50):
            if os.path.exists(ppm) and os.path.getsize(ppm) > 0:
                break
            time.sleep(0.1)
        subprocess.run(["/usr/bin/convert", ppm, png], check=True)
        os.unlink(ppm)
        return png

    def send_keys(self, *keys):
        self.qmp("send-key", keys=[{"type": "qcode", "data": k} for k in keys])

    def hotplug_stick(self, img, ident):
        self.qmp("blockdev-add", driver="raw", **{"node-name": ident},
                 file={"driver": "file", "filename": img})
        self.qmp("device_add", driver="usb-storage", bus="xhci.0", drive=ident,
                 id=ident + "-dev", removable=True)

    def unplug_stick(self, ident):
        self.qmp("device_del", id=ident + "-dev")

    # ---- test agent (test variant only) -------------------------------------
    def _read_agent(self):
        f = self.agent_sock.makefile("rb")
        try:
            for line in f:
                with self.agent_cond:
                    self.agent_lines.append(line.decode("ascii", "replace").strip())
                    self.agent_cond.notify_all()
        except OSError:
            pass
        with self.agent_cond:
            self.agent_cond.notify_all()

    def wait_agent(self, timeout):
        end = min(time.monotonic() + timeout, self.deadline)
        with self.agent_cond:
            while "HIFAZAT_AGENT_READY" not in self.agent_lines:
                left = end - time.monotonic()
                if left <= 0 or not self.alive():
                    return False
                self.agent_cond.wait(min(left, 0.5))
            self.agent_lines.remove("HIFAZAT_AGENT_READY")
            return True

    def sh(self, script, timeout=150):
        """Runs a bash script as root in the guest: (exit code, output)."""
        line = base64.b64encode(script.encode()).decode() + "\n"
        with self.agent_cond:
            self.agent_lines = [l for l in self.agent_lines if not l.startswith("HIFAZAT_AGENT ")]
            self.agent_sock.sendall(line.encode())
            end = time.monotonic() + timeout
            while True:
                for i, l in enumerate(self.agent_lines):
                    if l.startswith("HIFAZAT_AGENT "):
                        del self.agent_lines[i]
                        parts = l.split(" ", 2)
                        out = base64.b64decode(parts[2]).decode("utf-8", "replace") if len(parts) > 2 else ""
                        return int(parts[1]), out
                left = end - time.monotonic()
                if left <= 0 or not self.alive():
                    raise BootError(f"agent: no answer to {script[:60]!r}")
                self.agent_cond.wait(min(left, 0.5))
