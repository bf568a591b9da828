"""The daemon's front: TLS, routing, limits, signals and start-up refusals."""
import os
import resource
import shutil
import signal
import socket
import sqlite3
import ssl
import subprocess
import time
import unittest

from harness import BIN, Examd, ExamdTestCase, examctl, free_port, main


class TestServing(ExamdTestCase):
    examd_args = ("--handshake-timeout", "2", "--idle-timeout", "3",
                  "--max-body", "4096")

    def test_healthz_answers_ok(self):
        r = self.examd.request("GET", "/healthz")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.json, {"status": "ok"})
        self.assertEqual(r.header("Content-Type"), "application/json")

    def test_unknown_endpoint_is_json_404(self):
        r = self.examd.api("GET", "/no/such/thing")
        self.assertError(r, 404, "not_found")

    def test_unknown_page_is_json_404(self):
        self.assertError(self.examd.request("GET", "/nope.html"), 404)

    def test_wrong_method_is_json_405_with_allow(self):
        r = self.examd.request("DELETE", "/healthz")
        self.assertError(r, 405, "method_not_allowed")
        self.assertEqual(r.header("Allow"), "GET")
        r = self.examd.request("PATCH", "/healthz")
        self.assertError(r, 405, "method_not_allowed")

    def test_oversized_body_is_413(self):
        r = self.examd.request("POST", "/healthz", raw=b"x" * 10000,
                               headers={"Content-Type": "application/json"})
        self.assertEqual(r.status, 413, r)
        # The connection is closed after a refused body; the next works.
        self.assertEqual(self.examd.request("GET", "/healthz").status, 200)

    def test_metrics_are_prometheus_text(self):
        self.examd.request("GET", "/healthz")
        r = self.examd.request("GET", "/metrics")
        self.assertEqual(r.status, 200)
        for name in ("examd_requests_total{route=\"/healthz\",status=\"200\"}",
                     "examd_request_duration_seconds_bucket",
                     "examd_open_connections", "examd_loop_lag_seconds",
                     "examd_store_commit_seconds", "examd_store_batch_size"):
            self.assertIn(name, r.body)

    def test_security_headers_on_every_reply(self):
        r = self.examd.api("GET", "/nothing")
        self.assertEqual(r.header("Cache-Control"), "no-store")
        self.assertEqual(r.header("X-Content-Type-Options"), "nosniff")
        self.assertRegex(r.header("X-Request-Id"), "^[0-9a-f]{16}$")

    def test_tls11_client_is_refused(self):
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.load_verify_locations(self.examd.cert)
        ctx.minimum_version = ssl.TLSVersion.TLSv1_1
        ctx.maximum_version = ssl.TLSVersion.TLSv1_1
        try:
            ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
        except ssl.SSLError:
            pass
        with socket.create_connection(("127.0.0.1", self.examd.port)) as s:
            with self.assertRaises((ssl.SSLError, ConnectionError)):
                with ctx.wrap_socket(s, server_hostname="127.0.0.1") as t:
                    t.sendall(b"GET /healthz HTTP/1.1\r\n\r\n")
                    t.recv(100)

    def test_tls12_and_13_are_accepted(self):
        for v in (ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_3):
            ctx = self.examd.context()
            ctx.minimum_version = ctx.maximum_version = v
            with socket.create_connection(("127.0.0.1",
                                           self.examd.port)) as s:
                with ctx.wrap_socket(s, server_hostname="127.0.0.1") as t:
                    self.assertEqual(t.version(),
                                     "TLSv1.2" if v == ssl.TLSVersion.TLSv1_2
                                     else "TLSv1.3")

    def test_certificate_is_verified_for_localhost_and_ip(self):
        ctx = self.examd.context()
        for host in ("localhost", "127.0.0.1"):
            with socket.create_connection(("127.0.0.1",
                                           self.examd.port)) as s:
                with ctx.wrap_socket(s, server_hostname=host) as t:
                    self.assertIsNotNone(t.getpeercert())

    def _closed_within(self, sock, limit, payload=None):
        """Seconds until the server closes sock while we trickle bytes
        (payload one byte at a time, else 'A's)."""
        start = time.monotonic()
        sock.settimeout(0.3)
        i = 0
        while time.monotonic() - start < limit:
            try:
                sock.send(payload[i:i + 1] if payload and i < len(payload)
                          else b"A")
                i += 1
            except (BrokenPipeError, ConnectionResetError, ssl.SSLError,
                    OSError):
                return time.monotonic() - start
            try:
                if sock.recv(1024) == b"":
                    return time.monotonic() - start
            except socket.timeout:
                pass
            except (ConnectionResetError, ssl.SSLError, OSError):
                return time.monotonic() - start
        return None

    def _client_hello(self):
        """A real ClientHello, made by an in-memory TLS client."""
        inc, out = ssl.MemoryBIO(), ssl.MemoryBIO()
        obj = self.examd.context().wrap_bio(inc, out,
                                            server_hostname="127.0.0.1")
        try:
            obj.do_handshake()
        except ssl.SSLWantReadError:
            pass
        return out.read()

    def test_slow_handshake_is_cut_off_at_its_deadline(self):
        # A client that trickles a byte at a time never completes the
        # handshake; the absolute deadline (2 s here) closes it anyway.
        hello = self._client_hello()
        self.assertGreater(len(hello), 100)
        with socket.create_connection(("127.0.0.1", self.examd.port)) as s:
            took = self._closed_within(s, 15, payload=hello)
        self.assertIsNotNone(took, "connection still open after 15 s")
        self.assertGreater(took, 1.0)

    def test_slow_request_head_is_cut_off_at_its_deadline(self):
        ctx = self.examd.context()
        with socket.create_connection(("127.0.0.1", self.examd.port)) as s:
            with ctx.wrap_socket(s, server_hostname="127.0.0.1") as t:
                t.send(b"GET /healthz HTTP/1.1\r\nX-Slow: ")
                took = self._closed_within(t, 15)
        self.assertIsNotNone(took, "connection still open after 15 s")

    def test_keepalive_connection_survives_between_requests(self):
        self.examd.close_conn()
        for _ in range(3):
            self.assertEqual(self.examd.request("GET", "/healthz").status,
                             200)
            time.sleep(0.3)


class TestConnectionLimit(ExamdTestCase):
    examd_args = ("--max-conns-per-addr", "2")

    def test_connections_per_address_are_capped(self):
        ctx = self.examd.context()
        held = []
        try:
            for _ in range(2):
                s = socket.create_connection(("127.0.0.1", self.examd.port))
                held.append(ctx.wrap_socket(s, server_hostname="127.0.0.1"))
            s = socket.create_connection(("127.0.0.1", self.examd.port))
            with self.assertRaises((ssl.SSLError, ConnectionError)):
                t = ctx.wrap_socket(s, server_hostname="127.0.0.1")
                t.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
                if t.recv(100) == b"":
                    raise ConnectionError("closed")
            s.close()
        finally:
            for t in held:
                t.close()
        # Once they are gone the address may connect again.
        deadline = time.time() + 5
        while True:
            try:
                r = self.examd.request("GET", "/healthz", fresh=True)
                break
            except (ssl.SSLError, ConnectionError):
                if time.time() > deadline:
                    raise
                time.sleep(0.1)
        self.assertEqual(r.status, 200)


class TestSignals(unittest.TestCase):
    def setUp(self):
        self.examd = Examd()

    def tearDown(self):
        self.examd.cleanup()

    def test_sigterm_exits_0_with_database_intact(self):
        self.examd.start()
        self.assertEqual(self.examd.request("GET", "/healthz").status, 200)
        self.assertEqual(self.examd.stop(signal.SIGTERM), 0)
        db = sqlite3.connect(self.examd.db)
        self.assertEqual(db.execute("PRAGMA integrity_check").fetchone()[0],
                         "ok")
        self.assertGreater(db.execute(
            "SELECT count(*) FROM schema_migrations").fetchone()[0], 0)
        db.close()
        self.assertIn("examd: stopped", "\n".join(self.examd.lines))

    def test_sigint_exits_0(self):
        self.examd.start()
        self.assertEqual(self.examd.stop(signal.SIGINT), 0)

    def test_sighup_picks_up_a_new_certificate(self):
        self.examd.start()
        old_ca = os.path.join(self.examd.dir, "old-cert.pem")
        shutil.copy(self.examd.cert, old_ca)
        newdir = os.path.join(self.examd.dir, "new")
        examctl("gen-cert", newdir)
        shutil.copy(os.path.join(newdir, "cert.pem"), self.examd.cert)
        shutil.copy(os.path.join(newdir, "key.pem"), self.examd.key)
        os.chmod(self.examd.key, 0o600)
        self.examd.proc.send_signal(signal.SIGHUP)
        deadline = time.time() + 10
        while time.time() < deadline and not any(
                "reloaded" in l for l in self.examd.lines):
            time.sleep(0.05)
        self.assertTrue(any("reloaded" in l for l in self.examd.lines))
        # New connections verify against the new certificate only.
        r = self.examd.request("GET", "/healthz", fresh=True)
        self.assertEqual(r.status, 200)
        ctx = self.examd.context(cafile=old_ca)
        with socket.create_connection(("127.0.0.1", self.examd.port)) as s:
            with self.assertRaises(ssl.SSLCertVerificationError):
                ctx.wrap_socket(s, server_hostname="127.0.0.1")

    def test_sighup_with_a_broken_key_keeps_serving(self):
        self.examd.start()
        with open(self.examd.key, "w") as f:
            f.write("not a key\n")
        self.examd.proc.send_signal(signal.SIGHUP)
        deadline = time.time() + 10
        while time.time() < deadline and not any(
                "keeping the old certificate" in l for l in self.examd.lines):
            time.sleep(0.05)
        self.assertTrue(any("keeping the old certificate" in l
                            for l in self.examd.lines))
        self.assertEqual(self.examd.request("GET", "/healthz",
                                            fresh=True).status, 200)


class TestStartupRefusals(unittest.TestCase):
    """Each refusal: non-zero exit and one clear line on stderr."""

    def setUp(self):
        self.examd = Examd()
        self.examd.port = free_port()

    def tearDown(self):
        self.examd.cleanup()

    def refuse(self, cmd, phrase):
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
        self.assertNotEqual(p.returncode, 0, p.stderr)
        lines = [l for l in p.stderr.splitlines() if l.strip()]
        self.assertEqual(len(lines), 1, p.stderr)
        self.assertIn(phrase, lines[0])
        return lines[0]

    def test_missing_certificate(self):
        os.remove(self.examd.cert)
        self.refuse(self.examd.command(), "certificate")

    def test_key_readable_by_others(self):
        os.chmod(self.examd.key, 0o644)
        self.refuse(self.examd.command(), "chmod 600")

    def test_port_in_use(self):
        s = socket.socket()
        s.bind(("127.0.0.1", self.examd.port))
        s.listen(1)
        try:
            self.refuse(self.examd.command(), "address already in use")
        finally:
            s.close()

    def test_missing_database(self):
        os.remove(self.examd.db)
        self.refuse(self.examd.command(), "examctl")

    def test_unmigrated_database(self):
        os.remove(self.examd.db)
        sqlite3.connect(self.examd.db).execute(
            "CREATE TABLE x(y)").connection.commit()
        self.refuse(self.examd.command(), "not initialised")

    def test_database_missing_a_migration(self):
        db = sqlite3.connect(self.examd.db)
        db.execute("DELETE FROM schema_migrations WHERE version = "
                   "(SELECT max(version) FROM schema_migrations)")
        db.commit()
        db.close()
        self.refuse(self.examd.command(), "examctl --db FILE init")

    def test_newer_database(self):
        db = sqlite3.connect(self.examd.db)
        db.execute("INSERT INTO schema_migrations(version, name) "
                   "VALUES (999, 'future')")
        db.commit()
        db.close()
        self.refuse(self.examd.command(), "newer")

    def test_not_a_database(self):
        with open(self.examd.db, "wb") as f:
            f.write(b"this is not sqlite" * 100)
        self.refuse(self.examd.command(), "database")

    def test_unknown_option_is_usage_error(self):
        p = subprocess.run(self.examd.command(["--bogus", "1"]),
                           capture_output=True, text=True)
        self.assertEqual(p.returncode, 2)
        self.assertIn("unknown option --bogus", p.stderr)

    def test_bad_number_is_usage_error(self):
        p = subprocess.run(self.examd.command(["--max-body", "lots"]),
                           capture_output=True, text=True)
        self.assertEqual(p.returncode, 2)
        self.assertIn("max-body", p.stderr)

    def test_config_file_error_names_file_and_line(self):
        conf = os.path.join(self.examd.dir, "examd.conf")
        with open(conf, "w") as f:
            f.write("# settings\nidle-timeout 30\nno-such-setting 1\n")
        line = self.refuse(self.examd.command(["--config", conf]),
                           "examd.conf:3")
        self.assertIn("no-such-setting", line)

    def test_check_only_accepts_a_good_config(self):
        conf = os.path.join(self.examd.dir, "examd.conf")
        with open(conf, "w") as f:
            f.write("idle-timeout = 30\nmax-body 65536\n")
        p = subprocess.run(self.examd.command(["--config", conf, "-n"]),
                           capture_output=True, text=True)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("configuration OK", p.stderr)


class TestExamctl(unittest.TestCase):
    def setUp(self):
        self.examd = Examd()

    def tearDown(self):
        self.examd.cleanup()

    def test_init_is_idempotent(self):
        p1 = examctl("init", db=self.examd.db)
        p2 = examctl("init", db=self.examd.db)
        self.assertEqual(p1.stdout, p2.stdout)

    def test_gen_cert_makes_a_private_key_and_refuses_to_overwrite(self):
        d = os.path.join(self.examd.dir, "c2")
        examctl("gen-cert", d)
        self.assertEqual(os.stat(os.path.join(d, "key.pem")).st_mode & 0o777,
                         0o600)
        p = examctl("gen-cert", d, check=False)
        self.assertEqual(p.returncode, 1)
        self.assertIn("already exists", p.stderr)

    def test_backup_while_examd_runs(self):
        self.examd.start()
        out = os.path.join(self.examd.dir, "backup.db")
        examctl("backup", out, db=self.examd.db)
        db = sqlite3.connect(out)
        self.assertEqual(db.execute("PRAGMA integrity_check").fetchone()[0],
                         "ok")
        n = db.execute("SELECT count(*) FROM schema_migrations").fetchone()[0]
        self.assertGreater(n, 0)
        db.close()
        p = examctl("backup", out, db=self.examd.db, check=False)
        self.assertEqual(p.returncode, 1)

    def test_backup_to_a_full_disk_fails_cleanly(self):
        """A file-size limit stands for a full disk: examctl says so and
        leaves no partial copy (it used to die of SIGXFSZ)."""
        examctl("init", db=self.examd.db)
        out = os.path.join(self.examd.dir, "full.db")
        p = subprocess.run(
            [os.path.join(BIN, "examctl"), "--db", self.examd.db, "backup",
             out], capture_output=True, text=True,
            preexec_fn=lambda: resource.setrlimit(
                resource.RLIMIT_FSIZE, (65536, resource.RLIM_INFINITY)))
        self.assertEqual(p.returncode, 1, p)
        self.assertIn("backup failed", p.stderr)
        self.assertFalse(os.path.exists(out))

    def test_usage_errors_exit_2(self):
        self.assertEqual(examctl(check=False).returncode, 2)
        self.assertEqual(examctl("frobnicate", check=False).returncode, 2)
        self.assertEqual(examctl("init", check=False).returncode, 2)
        self.assertEqual(examctl("gen-cert", check=False).returncode, 2)


if __name__ == "__main__":
    main()
