"""What the delivery benchmarks and the load test share: a database with an
exam form, an auto-admitting sitting open now and N candidates whose access
codes are written to a file for `examc load --codes`; an examd process with
its RSS and CPU read from /proc; runs of `examc load` and `examc hammer`
parsed into numbers; and the ledger check.

Sittings and candidates are written straight into the SQLite file, the way
examd stores them (access code as SHA-256 of its normalised form, see
examd/auth_code.c), so a bench of 10,000 candidates takes a second to set up.
"""
import copy
import hashlib
import http.client
import os
import re
import resource
import secrets
import socket
import sqlite3
import ssl
import subprocess
import threading
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
STARTUP_TIMEOUT = 30  # s; ASan builds start slowly
HZ = os.sysconf("SC_CLK_TCK")


class Unavailable(Exception):
    """A part the benchmark needs is not there yet (says which)."""


def bin_path(bindir, name):
    return os.path.join(ROOT, bindir, name) if not os.path.isabs(bindir) \
        else os.path.join(bindir, name)


def raise_nofile():
    """Soft open-file limit to the hard limit (inherited by examd, examc)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def new_code():
    raw = "".join(secrets.choice(CROCKFORD) for _ in range(20))
    return "-".join(raw[i:i + 4] for i in range(0, 20, 4))


def code_hash(code):
    """SHA-256 hex of the normalised code, as auth_code_hash() stores it."""
    norm = code.replace("-", "").replace(" ", "").upper()
    norm = norm.replace("I", "1").replace("L", "1").replace("O", "0")
    return hashlib.sha256(norm.encode()).hexdigest()


def examctl(bindir, *args, db=None):
    cmd = [bin_path(bindir, "examctl")]
    if db is not None:
        cmd += ["--db", db]
    p = subprocess.run(cmd + list(args), capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError("examctl %s: %s" % (" ".join(args),
                                               p.stderr.strip()))
    return p.stdout


class Fixture:
    """A database in workdir with the item bank imported and association
    BENCH. add_sitting() adds sittings with candidates and their codes."""

    def __init__(self, workdir, bindir):
        self.dir = workdir
        self.bin = bindir
        self.db = os.path.join(workdir, "bench.db")
        self.certdir = os.path.join(workdir, "certs")
        self.cert = os.path.join(self.certdir, "cert.pem")
        self.key = os.path.join(self.certdir, "key.pem")
        os.makedirs(workdir, exist_ok=True)
        if not os.path.exists(self.cert):
            examctl(bindir, "gen-cert", self.certdir)
        examctl(bindir, "init", db=self.db)
        try:
            examctl(bindir, "import", os.path.join(ROOT, "items", "bank"),
                    db=self.db)
        except RuntimeError as e:
            raise Unavailable("the item bank does not import (%s)" % e)
        examctl(bindir, "association", "add", "BENCH", "Bench association",
                db=self.db)

    def add_sitting(self, exam_id, n, name, track="IMHS"):
        """A sitting of exam_id open from 5 min ago for 8 h, admission
        'auto', with n candidates; returns (sitting id, codes file)."""
        db = sqlite3.connect(self.db)
        now = int(time.time() * 1000)
        assoc = db.execute("SELECT id FROM associations WHERE code = 'BENCH'"
                           ).fetchone()[0]
        sid = db.execute(
            "INSERT INTO sittings(association_id, exam_id, title, opens_at,"
            " closes_at, timezone, admission_mode, created_at)"
            " VALUES (?, ?, ?, ?, ?, 'UTC', 'auto', ?)",
            (assoc, exam_id, "bench " + name, now - 5 * 60 * 1000,
             now + 8 * 3600 * 1000, now)).lastrowid
        codes = [new_code() for _ in range(n)]
        db.executemany(
            "INSERT INTO candidates(sitting_id, association_id, name, email,"
            " track, access_code_hash, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(sid, assoc, "Candidate %s %d" % (name, i),
              "c%d.%s.%d@bench.example" % (i, name, sid), track,
              code_hash(c), now) for i, c in enumerate(codes)])
        db.commit()
        db.close()
        path = os.path.join(self.dir, "codes-%s.txt" % name)
        with open(path, "w") as f:
            f.write("".join(c + "\n" for c in codes))
        return sid, path


    def copy(self, name):
        """The same fixture on a copy of the database as it is now, so a
        phase starts from candidates nobody has signed in yet."""
        other = copy.copy(self)
        other.db = os.path.join(self.dir, "%s.db" % name)
        src = sqlite3.connect(self.db)
        dst = sqlite3.connect(other.db)
        src.backup(dst)
        dst.close()
        src.close()
        return other


class Examd:
    """examd on 127.0.0.1 with limits fit for a benchmark."""

    def __init__(self, fx, conns=20000):
        self.fx = fx
        self.port = free_port()
        self.lines = []
        cmd = [bin_path(fx.bin, "examd"), "--db", fx.db, "--cert", fx.cert,
               "--key", fx.key, "--listen", "127.0.0.1:%d" % self.port,
               "--access-log", "0", "--max-conns", str(conns),
               "--max-conns-per-addr", str(conns)]
        self.proc = subprocess.Popen(cmd, stderr=subprocess.PIPE, text=True)
        ready = threading.Event()

        def reader():
            for line in self.proc.stderr:
                self.lines.append(line.rstrip("\n"))
                if "listening on https://" in line:
                    ready.set()
            ready.set()
        threading.Thread(target=reader, daemon=True).start()
        if not ready.wait(STARTUP_TIMEOUT) or self.proc.poll() is not None:
            raise RuntimeError("examd did not start:\n" + "\n".join(self.lines))
        self.pid = self.proc.pid
        self.addr = "127.0.0.1:%d" % self.port

    def rss_kib(self):
        with open("/proc/%d/status" % self.pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return 0

    def cpu_s(self):
        """utime + stime so far, in seconds."""
        return stat_cpu_s("/proc/%d/stat" % self.pid)

    def counters(self):
        """From /metrics: requests answered, group commits, their seconds
        in all and the units they carried, so far."""
        ctx = ssl.create_default_context(cafile=self.fx.cert)
        ctx.check_hostname = False      # the certificate names localhost
        c = http.client.HTTPSConnection("127.0.0.1", self.port, context=ctx,
                                        timeout=10)
        try:
            c.request("GET", "/metrics")
            text = c.getresponse().read().decode()
        finally:
            c.close()
        out = dict(requests=0, commits=0, commit_s=0.0, units=0, lag_n=0,
                   commits_fast=0, lag_fast=0)
        names = {"examd_store_commit_seconds_count": "commits",
                 "examd_store_commit_seconds_sum": "commit_s",
                 "examd_store_batch_size_sum": "units",
                 "examd_loop_lag_seconds_count": "lag_n",
                 # <= 50 ms: the rest are the stalls a save's tail shows
                 'examd_store_commit_seconds_bucket{le="0.05"}':
                 "commits_fast",
                 'examd_loop_lag_seconds_bucket{le="0.05"}': "lag_fast"}
        for line in text.splitlines():
            name, _, value = line.rpartition(" ")
            if name.startswith("examd_requests_total{"):
                out["requests"] += int(float(value))
            elif name in names:
                out[names[name]] = float(value)
        return out

    def loop_cpu_s(self):
        """utime + stime of the event loop (the main thread) so far."""
        return stat_cpu_s("/proc/%d/task/%d/stat" % (self.pid, self.pid))

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode


ROW = re.compile(r"^(\S+)\s+(\d+)\s+(\d+)\s+([\d.-]+)\s+([\d.-]+)\s+"
                 r"([\d.-]+)\s+([\d.-]+)\s+(\d+)$")


def parse_table(out):
    """{kind: {n, rate, p50, p99, p999, max, errors}} from examc output."""
    rows = {}
    for line in out.splitlines():
        m = ROW.match(line.strip())
        if m:
            rows[m.group(1)] = dict(
                n=int(m.group(2)), rate=int(m.group(3)),
                p50=float(m.group(4)), p99=float(m.group(5)),
                p999=float(m.group(6)), max=float(m.group(7)),
                errors=int(m.group(8)))
    return rows


def examc(fx, ex, *args, timeout=600, sample=None):
    """Runs examc against ex; returns (rc, stdout, stderr, rows). sample, if
    given, is called with examc's pid every 0.2 s while examc runs."""
    cmd = [bin_path(fx.bin, "examc"), "--addr", ex.addr, "--cacert",
           fx.cert] + [str(a) for a in args]
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True)
    out, err = [], []
    ts = [threading.Thread(target=lambda s=s, b=b: b.append(s.read()),
                           daemon=True)
          for s, b in ((p.stdout, out), (p.stderr, err))]
    for t in ts:
        t.start()
    end = time.time() + timeout
    while p.poll() is None:
        if time.time() > end:
            p.kill()
            break
        if sample is not None:
            sample(p.pid)
        time.sleep(0.2)
    p.wait()
    for t in ts:
        t.join()
    o, e = "".join(out), "".join(err)
    return p.returncode, o, e, parse_table(o)


def machine_jiffies():
    """(all, idle) CPU time of the machine so far, iowait counted idle."""
    with open("/proc/stat") as f:
        x = [int(v) for v in f.readline().split()[1:]]
    return sum(x), x[3] + x[4]


def stat_cpu_s(path):
    """utime + stime, in seconds, from a /proc stat file (0 once the process
    or thread is gone)."""
    try:
        with open(path) as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / HZ


def pid_cpu_s(pid):
    """utime + stime of a running process, in seconds (0 once it is gone)."""
    return stat_cpu_s("/proc/%d/stat" % pid)


def read_ledger(path):
    """The highest acknowledged save per (code, section, kind, key):
    {key: (seq, value)}."""
    best = {}
    with open(path) as f:
        for lineno, line in enumerate(f, 1):
            parts = line.rstrip("\n").split("\t")
            if len(parts) != 6:
                raise ValueError("%s:%d: expected 6 fields" % (path, lineno))
            code, sec, kind, key, seq, val = parts
            k = (code_hash(code), sec, kind, key)
            if k not in best or int(seq) > best[k][0]:
                best[k] = (int(seq), val)
    return best
