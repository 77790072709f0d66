"""Privileges and path safety: what a worker can touch, and what a request can
name.

Started as root with `user: nobody`, every worker runs as nobody (uid, gid,
supplementary groups, no capabilities) while the master stays root; a process
with a worker's credentials (setpriv) can read the root-owned 0644
configuration but neither append to it nor replace it; no worker holds the
configuration or a key file open. A TLS key readable only by root is loaded
by the master: HTTPS works before and after a SIGHUP reload although no worker
could open the key.

Every API route that takes an id (streams, clients, vhosts, forwards,
children, dvrs), the console on the API port and the HTTP server's files
(static, .m3u8, .ts, .flv) refuse dot segments, encoded and double-encoded
slashes, backslashes, NUL, overlong names and absolute-form targets, through
curl --path-as-is and raw sockets: the answer is 400, 403 or 404, or what
the route answers for any unknown name (the API: HTTP 200 with SRS's
not-found code in the envelope, as SRS does), 414 for a request line past the
8 KiB head limit; never /etc/passwd, the configuration, or a canary file that
sits next to the served folders; the workers survive all of it."""
import json
import os
import pwd
import re
import shutil
import signal
import socket
import stat
import subprocess
import unittest
import uuid

from harness import Server, free_port, pid_alive, run, to_yaml, wait_until

# --- what the implementation logs (kept here to be easy to change) -----------

LOG_RELOAD_DONE = r"reload done: generation {gen} serving"
LOG_OLD_STOPPED = r"worker slot \d+ generation {gen} draining \([^)]*\): stopped accepting"

PASSWD_LINE = re.compile(rb"^root:[^:\n]*:0:0:", re.M)  # /etc/passwd's first line


# --- credentials and open files ----------------------------------------------

def credentials(pid):
    """/proc/PID/status's Uid, Gid (real, effective, saved, fs), Groups, CapPrm
    and CapEff, as {"uid": [4 ints], "gid": [...], "groups": set, "capprm": int,
    "capeff": int}."""
    with open(f"/proc/{pid}/status") as f:
        return parse_credentials(f.read())


def parse_credentials(text):
    fields = dict(line.split(":", 1) for line in text.splitlines() if ":" in line)
    return {"uid": [int(v) for v in fields["Uid"].split()],
            "gid": [int(v) for v in fields["Gid"].split()],
            "groups": {int(v) for v in fields["Groups"].split()},
            "capprm": int(fields["CapPrm"], 16) if "CapPrm" in fields else None,
            "capeff": int(fields["CapEff"], 16) if "CapEff" in fields else None}


def open_files(pid):
    """The paths a process holds open (/proc/PID/fd targets)."""
    out = set()
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            out.add(os.readlink(f"/proc/{pid}/fd/{fd}"))
        except OSError:
            pass  # closed meanwhile
    return out


def as_worker(creds, *cmd):
    """Runs cmd through setpriv with a worker's uid, gid and groups (util-linux)."""
    groups = sorted(creds["groups"])
    group_args = [f"--groups={','.join(map(str, groups))}"] if groups else ["--clear-groups"]
    return subprocess.run(["setpriv", f"--reuid={creds['uid'][0]}", f"--regid={creds['gid'][0]}",
                           *group_args, "--", *cmd],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=10)


def make_certificate(folder):
    """folder/cert.pem (0644) and folder/key.pem (0600, root's): a self-signed
    RSA certificate for localhost and 127.0.0.1; returns (cert, key)."""
    cert, key = os.path.join(folder, "cert.pem"), os.path.join(folder, "key.pem")
    r = run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
             "-out", cert, "-days", "2", "-subj", "/CN=localhost",
             "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"], timeout=60)
    if r.returncode != 0:
        raise AssertionError(f"openssl req failed: {r.stderr}")
    os.chown(key, 0, 0)
    os.chmod(key, 0o600)
    os.chmod(cert, 0o644)
    return cert, key


def write_file(path, data, mode=0o644):
    os.makedirs(os.path.dirname(path), mode=0o755, exist_ok=True)
    with open(path, "wb" if isinstance(data, bytes) else "w") as f:
        f.write(data)
    os.chmod(path, mode)


class PrivilegeDropTest(unittest.TestCase):
    """Started as root with `user: nobody`."""

    def setUp(self):
        if os.geteuid() != 0:
            self.skipTest("needs root: the master drops the workers to `user:` only as root")
        for tool in ("setpriv", "curl", "openssl"):
            if not shutil.which(tool):
                self.skipTest(f"{tool} is not installed")
        try:
            self.nobody = pwd.getpwnam("nobody")
        except KeyError:
            self.skipTest("no user nobody")

    def server(self, extra=None):
        """A server whose folder (root's, 0755) nobody can traverse and read, not
        write; the configuration root's with mode 0644; html/index.html served."""
        srv = Server(self, workers=2, extra=dict({"user": "nobody"}, **(extra or {})))
        os.chmod(srv.dir, 0o755)
        self.index = f"index {uuid.uuid4()}\n"
        write_file(os.path.join(srv.dir, "html", "index.html"), self.index)
        return srv

    def seal_config(self, srv):
        os.chown(srv.conf_path, 0, 0)
        os.chmod(srv.conf_path, 0o644)
        st = os.stat(srv.dir)
        self.assertEqual((st.st_uid, stat.S_IMODE(st.st_mode)), (0, 0o755))

    def assert_runs_as_nobody(self, pid):
        """Returns the worker's credentials after checking they are nobody's, only."""
        c = credentials(pid)
        uid, gid = self.nobody.pw_uid, self.nobody.pw_gid
        self.assertEqual(c["uid"], [uid] * 4, f"worker {pid}: Uid (real, effective, saved, fs)")
        self.assertEqual(c["gid"], [gid] * 4, f"worker {pid}: Gid (real, effective, saved, fs)")
        self.assertEqual(c["groups"], set(os.getgrouplist("nobody", gid)),
                         f"worker {pid}: supplementary groups are nobody's (initgroups), "
                         f"none of root's")
        self.assertNotIn(0, c["groups"], f"worker {pid} keeps group root")
        self.assertEqual((c["capprm"], c["capeff"]), (0, 0), f"worker {pid} keeps capabilities")
        return c

    def assert_holds_none_of(self, pid, paths):
        held = open_files(pid)
        for p in paths:
            self.assertNotIn(os.path.realpath(p), held, f"worker {pid} holds {p} open")

    def workers(self, srv, count=2):
        return wait_until(lambda: len(srv.workers()) == count and srv.workers(), 10,
                          what=f"{count} workers")

    def https_get(self, port, cert, path):
        """(status, body) of a GET over HTTPS, the server checked against cert."""
        r = subprocess.run(["curl", "-sS", "--cacert", cert, "--max-time", "10", "-o", "-",
                            "-w", "\n%{http_code}", f"https://127.0.0.1:{port}{path}"],
                           capture_output=True, timeout=20)
        self.assertEqual(r.returncode, 0, f"curl https {path}: {r.stderr.decode(errors='replace')}")
        body, _, code = r.stdout.rpartition(b"\n")
        return int(code), body.decode(errors="replace")

    def test_workers_run_as_nobody_and_cannot_change_the_configuration(self):
        srv = self.server()
        self.seal_config(srv)
        srv.start()
        with open(f"/proc/{srv.pid}/status") as f:
            self.assertIn("Uid:\t0\t0\t0\t0", f.read(), "the master stays root")
        with open(srv.conf_path, "rb") as f:
            before = f.read()
        st_before = os.stat(srv.conf_path)
        for pid in self.workers(srv):
            creds = self.assert_runs_as_nobody(pid)
            self.assert_holds_none_of(pid, [srv.conf_path])
            # The same credentials can read the file: what fails below is the write.
            r = as_worker(creds, "cat", srv.conf_path)
            self.assertEqual((r.returncode, r.stdout.encode()), (0, before), r.stderr)
            # Append, as a process with exactly the worker's credentials.
            r = as_worker(creds, "sh", "-c", 'cat /proc/self/status; echo x >> "$1"', "sh",
                          srv.conf_path)
            self.assertNotEqual(r.returncode, 0, "nobody appended to the configuration")
            self.assertIn("Permission denied", r.stderr)
            mine = parse_credentials(r.stdout)
            self.assertEqual((mine["uid"], mine["gid"], mine["groups"], mine["capeff"]),
                             (creds["uid"], creds["gid"], creds["groups"], creds["capeff"]),
                             "setpriv ran with the worker's credentials")
            # Replace it: a new file in the folder, renamed over it.
            r = as_worker(creds, "sh", "-c", 'echo "user: root" > "$1.new" && mv "$1.new" "$1"',
                          "sh", srv.conf_path)
            self.assertNotEqual(r.returncode, 0, "nobody replaced the configuration")
        with open(srv.conf_path, "rb") as f:
            self.assertEqual(f.read(), before)
        st = os.stat(srv.conf_path)
        self.assertEqual((st.st_ino, st.st_mtime_ns, st.st_uid, stat.S_IMODE(st.st_mode)),
                         (st_before.st_ino, st_before.st_mtime_ns, 0, 0o644))
        self.assertFalse(os.path.exists(srv.conf_path + ".new"))
        # The workers, as nobody, still serve the API and the files.
        self.assertEqual(srv.api("/api/v1/versions")["code"], 0)
        r = run(["curl", "-sS", "--max-time", "5", f"http://127.0.0.1:{srv.http_port}/"])
        self.assertEqual(r.stdout, self.index, r.stderr)
        srv.stop()

    def test_key_only_root_can_read_is_loaded_by_the_master_and_reloaded(self):
        https_port = free_port()
        srv = self.server({"http_server": {"listen_tls": [f"127.0.0.1:{https_port}"]}})
        cert, key = make_certificate(srv.dir)
        srv.settings["tls"] = {"certificate": cert, "key": key}
        srv.write_config()
        self.seal_config(srv)
        st = os.stat(key)
        self.assertEqual((st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode)), (0, 0, 0o600))
        srv.start()
        old = self.workers(srv)
        for pid in old:
            creds = self.assert_runs_as_nobody(pid)
            r = as_worker(creds, "cat", key)
            self.assertNotEqual(r.returncode, 0, "a worker's credentials read the key")
            self.assertIn("Permission denied", r.stderr)
            self.assertEqual(as_worker(creds, "cat", cert).returncode, 0)  # the control
            self.assert_holds_none_of(pid, [key, srv.conf_path])
        self.assertEqual(self.https_get(https_port, cert, "/index.html"), (200, self.index))

        srv.signal(signal.SIGHUP)
        srv.wait_log(LOG_RELOAD_DONE.format(gen=2), timeout=20)
        srv.wait_log(LOG_OLD_STOPPED.format(gen=1), timeout=10)
        wait_until(lambda: not any(pid_alive(p) for p in old), 10,
                   what="generation 1's workers to exit")
        new = self.workers(srv)
        self.assertFalse(set(new) & set(old))
        for pid in new:
            self.assert_runs_as_nobody(pid)
            self.assert_holds_none_of(pid, [key, srv.conf_path])
        for _ in range(4):  # new connections, whichever worker takes each
            self.assertEqual(self.https_get(https_port, cert, "/index.html"), (200, self.index))
        srv.stop()


# --- path traversal ------------------------------------------------------------

# Names as they go on the wire, after a route's prefix. "canary.txt" and
# "srs.yaml" sit next to html/ and console/; /etc/passwd is four levels up.
NAMES = [
    "..", "%2e%2e", ".%2e", "%2E%2E",
    "../../../../etc/passwd", "../canary.txt", "../../canary.txt", "../srs.yaml",
    "%2e%2e%2f%2e%2e%2fetc%2fpasswd", "%2e%2e%2f%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "..%2f..%2fetc%2fpasswd", "..%2F..%2Fcanary.txt", "%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "%2e%2e/canary.txt", "%252e%252e%252f", "%252e%252e%252fcanary.txt",
    "....//....//etc/passwd", "....//canary.txt", "%c0%ae%c0%ae/%c0%ae%c0%ae/etc/passwd",
    "%00", "..%00", "canary.txt%00.m3u8", "..%00/..%00/etc/passwd",
    "..\\..\\etc\\passwd", "..\\canary.txt", "..%5c..%5cetc%5cpasswd", "..%5Ccanary.txt",
    "y" * 3000,  # past NAME_MAX, within the 8 KiB request head
]
LONG_NAME = "x" * 10240  # past the 8 KiB request head: 414

# The files inside the roots.
INDEX, PLAYLIST, SEGMENT = b"the index\n", b"#EXTM3U\n", b"\x47" + bytes(187)
CONSOLE_INDEX = b"the console\n"

# (port attribute, method, target template)
ROUTES = [
    ("api_port", "GET", "/api/v1/streams/{}"),
    ("api_port", "GET", "/api/v1/clients/{}"),
    ("api_port", "DELETE", "/api/v1/clients/{}"),
    ("api_port", "GET", "/api/v1/vhosts/{}"),
    ("api_port", "GET", "/api/v1/forwards/{}"),
    ("api_port", "GET", "/api/v1/children/{}"),
    ("api_port", "GET", "/api/v1/dvrs/{}"),
    ("api_port", "POST", "/api/v1/dvrs/{}?action=start"),
    ("api_port", "DELETE", "/api/v1/dvrs/{}"),
    ("api_port", "GET", "/console/{}"),
    ("http_port", "GET", "/{}"),
    ("http_port", "GET", "/live/{}"),
    ("http_port", "GET", "/{}.m3u8"),
    ("http_port", "GET", "/live/{}.m3u8"),
    ("http_port", "GET", "/live/{}.ts"),
    ("http_port", "GET", "/live/{}.flv"),
]


def raw_request(port, method, target, host=b"127.0.0.1"):
    """(status or None when closed without a status line, body, whole reply) of
    one request sent byte for byte: what curl would normalize or refuse goes as is."""
    if isinstance(target, str):
        target = target.encode()
    head = (method.encode() + b" " + target + b" HTTP/1.1\r\nHost: " + host +
            b"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
    data = b""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(head)
        try:
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
        except ConnectionResetError:
            pass  # the server closed with our unread bytes: its reply came first
    m = re.match(rb"HTTP/1\.[01] (\d{3}) ", data)
    return (int(m.group(1)) if m else None), data.partition(b"\r\n\r\n")[2], data


def curl_request(port, method, target):
    """(status, body, body) through curl --path-as-is (no dot-segment squashing)."""
    r = subprocess.run(["curl", "-sS", "--path-as-is", "-g", "--max-time", "5", "-X", method,
                        "-o", "-", "-w", "\n%{http_code}", f"http://127.0.0.1:{port}{target}"],
                       capture_output=True, timeout=15)
    body, _, code = r.stdout.rpartition(b"\n")
    return (int(code) if code.isdigit() and code != b"000" else None), body, body


class PathTraversalTest(unittest.TestCase):
    """Root or not: the workers keep the server's credentials here, so that a
    name that got out of its root would be served whatever the file's mode."""

    def test_no_route_serves_a_name_outside_its_root(self):
        if not shutil.which("curl"):
            self.skipTest("curl is not installed")
        srv = self.srv = self.start_server()
        workers = wait_until(lambda: len(srv.workers()) == 2 and srv.workers(), 5, what="workers")
        # Each root serves its files, and refuses a link out of it.
        self.assert_serves()
        for port, target in ((srv.http_port, "/escape.txt"), (srv.http_port, "/live/escape.m3u8"),
                             (srv.api_port, "/console/escape.js")):
            self.assertEqual(self.answer(raw_request(port, "GET", target), target)[0], 403, target)

        failures = self.probe_routes() + self.probe_raw_only()
        self.assertEqual(failures, [], "\n".join(failures))

        # No crash, no restart: the same workers answer normal requests.
        self.assertEqual(sorted(srv.workers()), sorted(workers), "a worker was replaced")
        self.assert_serves()
        self.assertEqual(srv.api("/api/v1/versions")["code"], 0)
        srv.stop()

    def start_server(self):
        """html/ and console/ with a few files; canary.txt and srs.yaml (both
        holding self.canary) next to them; links from the roots to the canary."""
        srv = Server(self, workers=2, extra={"http_server": {"wait_publisher": "100ms"},
                                             "vhosts": {"__defaultVhost__": {}}})
        self.canary = f"canary {uuid.uuid4()}"
        html, console = os.path.join(srv.dir, "html"), os.path.join(srv.dir, "console")
        srv.settings["http_api"]["console_dir"] = console
        srv.write_config(text=to_yaml(srv.settings) + f"\n# {self.canary} config\n")
        write_file(os.path.join(srv.dir, "canary.txt"), self.canary + " file\n")
        write_file(os.path.join(html, "index.html"), INDEX)
        write_file(os.path.join(html, "live", "ok.m3u8"), PLAYLIST)
        write_file(os.path.join(html, "live", "ok.ts"), SEGMENT)
        write_file(os.path.join(console, "index.html"), CONSOLE_INDEX)
        os.symlink(os.path.join(srv.dir, "canary.txt"), os.path.join(html, "escape.txt"))
        os.symlink("../../canary.txt", os.path.join(html, "live", "escape.m3u8"))
        os.symlink("../canary.txt", os.path.join(console, "escape.js"))
        return srv.start()

    def probe_routes(self):
        """Every name on every route, through curl and raw; the failures' lines.
        A name is answered as refused (400, 403, 404), as an unknown name is on
        that route (the API: HTTP 200 and SRS's not-found code, as SRS does), or
        with a file inside the root ("/live/.." is "/", RFC 3986 5.2.4)."""
        inside = {(200, body) for body in (INDEX, PLAYLIST, SEGMENT, CONSOLE_INDEX)}
        failures = []
        for port_name, method, template in ROUTES:
            port = getattr(self.srv, port_name)
            plain = template.format(f"no-such-{uuid.uuid4().hex}")
            unknown = self.answer(raw_request(port, method, plain), plain)
            self.assertTrue(unknown[0] == 404 or unknown[1] not in (None, 0),
                            f"{method} {plain}: an unknown name is not refused: {unknown}")
            for name in NAMES + [LONG_NAME]:
                target = template.format(name)
                for how, reply in (("curl", curl_request(port, method, target)),
                                   ("raw", raw_request(port, method, target))):
                    what = f"{how} {method} {target[:100]}"
                    got = self.answer(reply, what)
                    if name is LONG_NAME:
                        ok = got[0] == 414
                    else:
                        ok = got[0] in (400, 403, 404) or got == unknown or got in inside
                    if not ok:
                        failures.append(f"{what}: {got}; an unknown name gets {unknown}")
        return failures

    def probe_raw_only(self):
        """What curl cannot send: a raw NUL, a raw space, absolute-form targets;
        and a Host header or ?vhost= that climbs (they name a vhost, never a
        folder)."""
        srv, local = self.srv, b"127.0.0.1"
        http, api = f"http://127.0.0.1:{srv.http_port}", f"http://127.0.0.1:{srv.api_port}"
        cases = [
            (srv.http_port, b"/..\x00/etc/passwd", local),
            (srv.http_port, b"/canary.txt\x00.m3u8", local),
            (srv.api_port, b"/console/..\x00/canary.txt", local),
            (srv.api_port, b"/api/v1/streams/..\x00", local),
            (srv.http_port, b"/.. /canary.txt", local),
            (srv.http_port, f"{http}/../canary.txt".encode(), local),
            (srv.http_port, f"{http}/../../../../etc/passwd".encode(), local),
            (srv.api_port, f"{api}/console/../canary.txt".encode(), local),
            (srv.http_port, b"/passwd", b"../../../../etc"),
            (srv.http_port, b"/canary.txt", b".."),
            (srv.http_port, b"/live/x.flv?vhost=../../../../etc", local),
        ]
        failures = []
        for port, target, host in cases:
            status = self.answer(raw_request(port, "GET", target, host), repr(target))[0]
            if status not in (400, 403, 404):
                failures.append(f"raw GET {target!r} Host {host!r}: {status}, "
                                f"expected 400, 403 or 404")
        return failures

    def assert_serves(self):
        """Each root serves its own files (so that a refusal means something)."""
        srv = self.srv
        for port, target, body in ((srv.http_port, "/", INDEX),
                                   (srv.http_port, "/live/ok.m3u8", PLAYLIST),
                                   (srv.http_port, "/live/ok.ts", SEGMENT),
                                   (srv.api_port, "/console/", CONSOLE_INDEX)):
            self.assertEqual(raw_request(port, "GET", target)[:2], (200, body), target)
        status, body, _ = raw_request(srv.api_port, "GET", "/api/v1/vhosts/__defaultVhost__")
        self.assertEqual((status, json.loads(body)["code"]), (200, 0), body)

    def answer(self, reply, what):
        """(status, detail) of a reply that must not carry a file from outside the
        roots; detail: the API envelope's code, else a 200's body, else None."""
        status, body, whole = reply
        self.assertNotIn(self.canary.encode(), whole, f"{what}: the canary or the configuration")
        self.assertIsNone(PASSWD_LINE.search(whole), f"{what}: /etc/passwd")
        self.assertNotIn(b"PRIVATE KEY", whole, what)
        try:
            return status, json.loads(body)["code"]
        except (ValueError, KeyError, TypeError):
            return status, body if status == 200 else None


if __name__ == "__main__":
    unittest.main()
