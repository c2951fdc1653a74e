"""Test fixtures for uploads: a real nginx on 127.0.0.1 with TLS from a CA
made at test time and a WebDAV drop box (`dav_methods PUT`), plus a loopback
TCP proxy that can cut connections after N bytes. Only loopback addresses
are ever used."""
import base64
import hashlib
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


def make_ca(d, name):
    """A CA and a server certificate for 127.0.0.1/localhost signed by it."""
    os.makedirs(d, exist_ok=True)
    _openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
             "-keyout", "ca.key", "-out", "ca.crt", "-days", "2", "-subj", f"/CN={name} test CA", cwd=d)
    _openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
             "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=localhost", cwd=d)
    with open(os.path.join(d, "san.ext"), "w") as f:
        f.write("subjectAltName=IP:127.0.0.1,DNS:localhost\n")
    _openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
             "-out", "server.crt", "-days", "2", "-extfile", "san.ext", cwd=d)
    der = subprocess.run(["openssl", "pkey", "-in", "server.key", "-pubout", "-outform", "DER"],
                         cwd=d, check=True, capture_output=True).stdout
    pin = "sha256//" + base64.b64encode(hashlib.sha256(der).digest()).decode()
    return {"ca": os.path.join(d, "ca.crt"), "cert": os.path.join(d, "server.crt"),
            "key": os.path.join(d, "server.key"), "pin": pin}


CONF = """
daemon off;
master_process off;
worker_processes 1;
error_log {d}/error.log info;
pid {d}/nginx.pid;
events {{ worker_connections 128; }}
http {{
    access_log {d}/access.log;
    client_body_temp_path {d}/tmp/body;
    proxy_temp_path {d}/tmp/proxy;
    fastcgi_temp_path {d}/tmp/fastcgi;
    uwsgi_temp_path {d}/tmp/uwsgi;
    scgi_temp_path {d}/tmp/scgi;
    client_max_body_size 2g;
    server {{
        listen 127.0.0.1:{port} ssl;
        ssl_certificate {cert};
        ssl_certificate_key {key};
        root {d}/www;
        location /drop/ {{ dav_methods PUT; dav_access user:rw group:r all:r; }}
        location /auth/ {{
            auth_basic "helpline";
            auth_basic_user_file {d}/htpasswd;
            dav_methods PUT;
        }}
        location /fail500/ {{ return 500; }}
        location /forbidden/ {{ return 403; }}
        location /full/ {{
            if ($request_method = PUT) {{ return 507; }}
            dav_methods PUT;
        }}
        # A liar: takes every PUT (201) and keeps nothing; HEAD and GET of
        # any name give the same decoy file.
        location /lying/ {{
            if ($request_method = PUT) {{ return 201; }}
            try_files /decoy.tar =404;
        }}
        location /moved/ {{ return 301 /drop/; }}
        location /putmoved/ {{
            if ($request_method = PUT) {{ return 307 /drop/; }}
        }}
    }}
}}
"""


class Nginx:
    """nginx serving https://127.0.0.1:PORT/{drop,auth,fail500,forbidden,full,lying,moved,putmoved}/."""

    def __init__(self, root, tls, user="courier", password="s3cret-pass"):
        self.root = root
        self.tls = tls
        self.port = free_port()
        self.user, self.password = user, password
        for sub in ("tmp", "www/drop", "www/auth", "www/full"):
            os.makedirs(os.path.join(root, sub), exist_ok=True)
        os.chmod(root, 0o755)
        hashed = subprocess.run(["openssl", "passwd", "-apr1", password], check=True,
                                capture_output=True, text=True).stdout.strip()
        with open(os.path.join(root, "htpasswd"), "w") as f:
            f.write(f"{user}:{hashed}\n")
        with open(os.path.join(root, "nginx.conf"), "w") as f:
            f.write(CONF.format(d=root, port=self.port, cert=tls["cert"], key=tls["key"]))
        self.proc = None

    @property
    def spool(self):
        return os.path.join(self.root, "www/drop")

    def url(self, path="drop", port=None):
        return f"https://127.0.0.1:{port or self.port}/{path}/"

    def start(self):
        self.proc = subprocess.Popen([NGINX, "-c", os.path.join(self.root, "nginx.conf"), "-p", self.root],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.time() + 10
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("nginx failed: " + self.proc.stderr.read().decode())
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("nginx did not start")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


class CuttingProxy:
    """127.0.0.1:port -> target. The first `cuts` connections are closed after
    `after` bytes from the client (a 2G link dropping mid-transfer); later
    ones pass through."""

    def __init__(self, target_port, after, cuts=1):
        self.target = target_port
        self.after = after
        self.cuts = cuts
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.cut_count = 0
        self.closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while not self.closed:
            try:
                client, _ = self.sock.accept()
            except OSError:
                return
            cut = self.cut_count < self.cuts
            if cut:
                self.cut_count += 1
            threading.Thread(target=self._serve, args=(client, cut), daemon=True).start()

    def _serve(self, client, cut):
        try:
            server = socket.create_connection(("127.0.0.1", self.target))
        except OSError:
            client.close()
            return
        budget = [self.after if cut else None]

        def pump(src, dst, counted):
            try:
                while True:
                    data = src.recv(65536)
                    if not data:
                        break
                    if counted and budget[0] is not None:
                        if len(data) >= budget[0]:
                            dst.sendall(data[: budget[0]])
                            break
                        budget[0] -= len(data)
                    dst.sendall(data)
            except OSError:
                pass
            for s in (client, server):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

        t = threading.Thread(target=pump, args=(server, client, False), daemon=True)
        t.start()
        pump(client, server, True)
        t.join(5)
        client.close()
        server.close()

    def close(self):
        self.closed = True
        self.sock.close()


def tempdir(tag):
    d = tempfile.mkdtemp(prefix=f"hifazat-{tag}-")
    os.chmod(d, 0o755)
    return d


class OldTLS:
    """openssl s_server on 127.0.0.1 speaking TLS 1.1 only, with the given
    certificate; `env` lets a client's OpenSSL allow TLS 1.1 too, so that
    only the client's own minimum can refuse it."""

    def __init__(self, root, tls):
        os.makedirs(root, exist_ok=True)
        self.port = free_port()
        self.log = os.path.join(root, "s_server.log")
        conf = os.path.join(root, "lax-openssl.cnf")
        with open(conf, "w") as f:
            f.write("openssl_conf = openssl_init\n[openssl_init]\nssl_conf = ssl_sect\n"
                    "[ssl_sect]\nsystem_default = system_default_sect\n"
                    "[system_default_sect]\nMinProtocol = TLSv1\nCipherString = DEFAULT:@SECLEVEL=0\n")
        self.env = {"OPENSSL_CONF": conf}
        with open(self.log, "w") as logf:
            self.proc = subprocess.Popen(
                ["openssl", "s_server", "-accept", f"127.0.0.1:{self.port}", "-cert", tls["cert"],
                 "-key", tls["key"], "-tls1_1", "-cipher", "DEFAULT:@SECLEVEL=0", "-www"],
                stdin=subprocess.DEVNULL, stdout=logf, stderr=subprocess.STDOUT, env=dict(os.environ, **self.env))
        deadline = time.time() + 10
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("openssl s_server did not start")

    def url(self):
        return f"https://127.0.0.1:{self.port}/drop/"

    def stop(self):
        self.proc.terminate()
        self.proc.wait()
