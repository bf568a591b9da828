"""Integration harness: a real examd on 127.0.0.1, a real certificate, a
real SQLite file, spoken to over TLS with certificate verification on.

    from harness import Examd, main, ExamdTestCase

Each ExamdTestCase class gets one examd (self.examd) on a fresh database;
tests that need their own (restarts, bad flags) make one with Examd().
Run a file directly: it prints "N passed, N failed" last.
"""
import http.client
import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import unittest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BIN = os.path.join(ROOT, os.environ.get("EXAMD_BIN", "bin"))
STARTUP_TIMEOUT = 30  # seconds; generous for ASan builds


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def examctl(*args, db=None, stdin=None, check=True):
    """Runs bin/examctl; returns CompletedProcess (text)."""
    cmd = [os.path.join(BIN, "examctl")]
    if db is not None:
        cmd += ["--db", db]
    cmd += list(args)
    p = subprocess.run(cmd, input=stdin, capture_output=True, text=True)
    if check and p.returncode != 0:
        raise AssertionError("examctl %s failed (%d): %s" % (
            " ".join(args), p.returncode, p.stderr))
    return p


class Reply:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body
        try:
            self.json = json.loads(body) if body else None
        except ValueError:
            self.json = None

    def header(self, name):
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None

    def __repr__(self):
        return "Reply(%d, %r)" % (self.status, self.body[:300])


class Examd:
    """One examd process. Not started until start()."""

    def __init__(self, workdir=None, args=(), init=True):
        self.dir = workdir or tempfile.mkdtemp(prefix="examd-test-")
        self.db = os.path.join(self.dir, "examd.db")
        self.certdir = os.path.join(self.dir, "certs")
        self.cert = os.path.join(self.certdir, "cert.pem")
        self.key = os.path.join(self.certdir, "key.pem")
        self.port = None
        self.args = list(args)
        self.proc = None
        self.lines = []
        self._conn = None
        if not os.path.exists(self.cert):
            examctl("gen-cert", self.certdir)
        if init and not os.path.exists(self.db):
            examctl("init", db=self.db)

    # -- process ---------------------------------------------------------
    def command(self, extra=()):
        return [os.path.join(BIN, "examd"), "--db", self.db, "--cert",
                self.cert, "--key", self.key, "--listen",
                "127.0.0.1:%d" % self.port] + self.args + list(extra)

    def start(self, extra=(), port=None):
        self.port = port or self.port or free_port()
        self.lines = []
        self.proc = subprocess.Popen(self.command(extra),
                                     stderr=subprocess.PIPE, text=True)
        ready = threading.Event()

        def reader(proc=self.proc, lines=self.lines):
            for line in proc.stderr:
                lines.append(line.rstrip("\n"))
                if "examd: listening on https://" in line:
                    ready.set()
            ready.set()
        threading.Thread(target=reader, daemon=True).start()
        if not ready.wait(STARTUP_TIMEOUT) or self.proc.poll() is not None:
            raise AssertionError("examd did not start: %s" %
                                 "\n".join(self.lines))
        return self

    def stop(self, sig=signal.SIGTERM, timeout=30):
        """Signals examd and returns its exit status."""
        self.close_conn()
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            rc = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            rc = self.proc.wait()
        self.proc = None
        bad = [l for l in self.lines if "Sanitizer" in l or
               "runtime error:" in l]
        if bad:
            raise AssertionError("examd sanitizer report:\n" +
                                 "\n".join(self.lines))
        return rc

    def kill9(self):
        return self.stop(signal.SIGKILL)

    def restart(self, extra=()):
        self.stop()
        return self.start(extra)

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    # -- TLS and HTTP ----------------------------------------------------
    def context(self, cafile=None):
        ctx = ssl.create_default_context(cafile=cafile or self.cert)
        ctx.check_hostname = True
        return ctx

    def close_conn(self):
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def request(self, method, path, body=None, token=None, headers=None,
                raw=None, fresh=False, timeout=30):
        """One request on a kept-alive connection (reconnects if closed).
        body: JSON-able object; raw: bytes sent as they are."""
        hdrs = dict(headers or {})
        data = None
        if raw is not None:
            data = raw
        elif body is not None:
            data = json.dumps(body).encode()
            hdrs.setdefault("Content-Type", "application/json")
        if token is not None:
            hdrs["Authorization"] = "Bearer " + token
        for attempt in (0, 1):
            if fresh or self._conn is None:
                self.close_conn()
                self._conn = http.client.HTTPSConnection(
                    "127.0.0.1", self.port, context=self.context(),
                    timeout=timeout)
            try:
                self._conn.request(method, path, body=data, headers=hdrs)
                r = self._conn.getresponse()
                body_bytes = r.read()
                reply = Reply(r.status, r.getheaders(),
                              body_bytes.decode("utf-8", "replace"))
                if reply.header("Connection") == "close":
                    self.close_conn()
                return reply
            except (ConnectionError, http.client.RemoteDisconnected,
                    http.client.CannotSendRequest, BrokenPipeError):
                self.close_conn()
                if attempt == 1:
                    raise

    def api(self, method, path, body=None, token=None, **kw):
        return self.request(method, "/api/v1" + path, body=body, token=token,
                            **kw)


class ExamdTestCase(unittest.TestCase):
    """One examd for the class, on a fresh database."""
    examd_args = ()

    @classmethod
    def setUpClass(cls):
        cls.examd = Examd(args=cls.examd_args)
        cls.prepare(cls.examd)
        cls.examd.start()

    @classmethod
    def prepare(cls, examd):
        """Seed the database before examd starts (override)."""

    @classmethod
    def tearDownClass(cls):
        cls.examd.cleanup()

    def assertError(self, reply, status, code=None):
        self.assertEqual(reply.status, status, reply)
        self.assertIsNotNone(reply.json, "error body is not JSON: %r" % reply)
        self.assertIn("error", reply.json)
        self.assertIsInstance(reply.json["error"].get("message"), str)
        if code is not None:
            self.assertEqual(reply.json["error"]["code"], code, reply)


class _Result(unittest.TextTestResult):
    """Remembers which tests ran, for an honest count."""

    def startTest(self, test):
        super().startTest(test)
        if not hasattr(self, "ran"):
            self.ran = []
        self.ran.append(test)


def main():
    """Runs the calling module's tests; last line 'N passed, N failed'."""
    suite = unittest.defaultTestLoader.loadTestsFromModule(
        sys.modules["__main__"])
    runner = unittest.TextTestRunner(verbosity=2, resultclass=_Result)
    res = runner.run(suite)
    # A test may fail and then error in tearDown; a class may fail in
    # setUpClass/tearDownClass (no test of its own): count each once.
    bad = {t.id() if hasattr(t, "id") else str(t)
           for t, _ in res.failures + res.errors}
    bad |= {t.id() for t in res.unexpectedSuccesses}
    skipped = {t.id() for t, _ in res.skipped}
    ran = {t.id() for t in getattr(res, "ran", [])}
    passed = len(ran - bad - skipped)
    print("%s: %d passed, %d failed, %d skipped" % (
        os.path.basename(sys.argv[0]), passed, len(bad), len(skipped)))
    sys.exit(1 if bad else 0)
