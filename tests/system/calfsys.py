"""Helpers for the system tests: run the real calfd and calfctl and talk
to calfd's socket. conftest.py turns them into fixtures; test files import
what they need from here (`from calfsys import ...`).

- `ctl(sock, *args)`: run calfctl and get a `CtlResult` (rc, out, err, json).
- `Daemon`: calfd on a private socket and state folder, its stderr kept in
  a file; `.ctl()`, `.ctl_json()`, `.status()`, `.raw()`, `.raw_watch()`,
  `.watch()` (calfctl watch --json as a subprocess), `.send_signal()`.
- `RawClient(sock)`: the protocol over a Python socket.
- `EventStream.expect(kind, session, timeout)`: the next matching event.
- Time helpers: `future(lead)` (an epoch second a few seconds ahead) and
  `hms(epoch)` ("HH:MM:SS" in the daemons' zone, which is always UTC).
"""
import datetime as dt
import json
import math
import os
import pathlib
import queue
import select
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time


ROOT = pathlib.Path(__file__).resolve().parents[2]
BUILD = pathlib.Path(os.environ.get("CALF_BUILD") or ROOT / "build")
CALFD = BUILD / "calfd"
CALFCTL = BUILD / "calfctl"
US = 1_000_000
# How far ahead of now a test schedules its first prompt (seconds): enough
# for calfd to start and a watcher to subscribe, even under ASan.
LEAD = float(os.environ.get("CALF_TEST_LEAD", "2"))
LATE_MAX_US = 1_500_000         # a prompt may be this late, at most
SANITIZER_MARKS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer",
                   "runtime error:", "UndefinedBehaviorSanitizer")
EX_USAGE, EX_UNAVAILABLE, EX_CONFIG = 64, 69, 78


# --- environment and time ---------------------------------------------------

def clean_env(**extra):
    """The environment for calfd/calfctl: no CALF*/XDG_* leaking in from the
    caller, TZ=UTC so local time is predictable, a UTF-8 locale, and no
    D-Bus (the caller's desktop must not get bubbles or hold prompts; the
    notification tests pass their own private buses)."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("CALF", "XDG_", "NO_COLOR", "DBUS_"))}
    env.update(TZ="UTC", HOME="/nonexistent", LC_ALL="C.UTF-8",
               DBUS_SESSION_BUS_ADDRESS="unix:path=/nonexistent/bus",
               DBUS_SYSTEM_BUS_ADDRESS="unix:path=/nonexistent/bus")
    env.update({k: v for k, v in extra.items() if v is not None})
    return env


def hms(epoch):
    """Epoch seconds as a routine time of day, HH:MM:SS, in UTC (the zone
    every test daemon runs in). A datetime handles midnight rollover."""
    return dt.datetime.fromtimestamp(epoch, dt.timezone.utc).strftime(
        "%H:%M:%S")


def future(lead=None):
    """A whole epoch second at least `lead` seconds from now."""
    return math.ceil(time.time() + (LEAD if lead is None else lead))


def sleep_until(epoch):
    d = epoch - time.time()
    if d > 0:
        time.sleep(d)


def session_ini(name, **keys):
    """One [section]; a list value repeats the key (for `cue`)."""
    lines = [f"[{name}]"]
    for k, v in keys.items():
        for item in (v if isinstance(v, (list, tuple)) else [v]):
            lines.append(f"{k} = {item}")
    return "\n".join(lines) + "\n"


# An on-demand session used only to prove that a watcher is subscribed.
PROBE = session_ini("probe", duration="1h", title="Probe")


def routine_text(*sessions, calfd=None, probe=True):
    parts = []
    if calfd:
        parts.append("[calfd]\n" + "".join(f"{k} = {v}\n"
                                          for k, v in calfd.items()))
    parts.extend(sessions)
    if probe:
        parts.append(PROBE)
    return "\n".join(parts)


def assert_on_time(ev, due_s):
    """A due-type event meant for epoch second due_s, and not late."""
    assert ev["due_us"] == due_s * US, ev
    assert 0 <= ev["fired_us"] - ev["due_us"] < LATE_MAX_US, ev


def sanitizer_report(text):
    return any(m in text for m in SANITIZER_MARKS)


# --- calfctl ---------------------------------------------------------------

class CtlResult:
    def __init__(self, args, proc):
        self.args = args
        self.rc = proc.returncode
        self.out = proc.stdout.decode(errors="replace")
        self.err = proc.stderr.decode(errors="replace")

    @property
    def json(self):
        lines = [ln for ln in self.out.splitlines() if ln.strip()]
        assert len(lines) == 1, f"expected one JSON line, got {self.out!r}"
        obj = json.loads(lines[0])
        assert isinstance(obj, dict), obj
        return obj

    def __repr__(self):
        return (f"calfctl {' '.join(map(str, self.args))} -> {self.rc}\n"
                f"stdout: {self.out!r}\nstderr: {self.err!r}")


def ctl(sock, *args, env=None, timeout=20, input=None, uid_wrap=None):
    """Runs calfctl (with -s SOCK unless sock is None)."""
    argv = [str(CALFCTL)] + (["-s", str(sock)] if sock is not None else [])
    argv += [str(a) for a in args]
    if uid_wrap:
        argv = list(uid_wrap) + argv
    proc = subprocess.run(argv, capture_output=True, timeout=timeout,
                          env=env if env is not None else clean_env(),
                          input=input)
    res = CtlResult(args, proc)
    assert not sanitizer_report(res.err), f"calfctl sanitizer report: {res!r}"
    return res


# --- events ----------------------------------------------------------------

class EventStream:
    """Events received, in order; subclasses provide _read(timeout) which
    returns one parsed object, None on timeout, or raises EOFError."""

    def __init__(self):
        self.events = []
        self.pos = 0
        self.closed = False

    def _take(self, timeout):
        obj = self._read(timeout)
        if obj is not None:
            obj["_recv"] = time.time()
            self.events.append(obj)
        return obj

    def expect(self, kind, session=None, timeout=10.0):
        """The next event of this kind (and session) after the previous
        match; other events are passed over but stay in self.events."""
        deadline = time.time() + timeout
        while True:
            while self.pos < len(self.events):
                ev = self.events[self.pos]
                self.pos += 1
                if ev.get("event") == kind and (
                        session is None or ev.get("session") == session):
                    return ev
            left = deadline - time.time()
            if left <= 0:
                raise AssertionError(
                    f"no {kind!r} event for {session!r} within {timeout}s; "
                    f"events: {self.summary()}")
            try:
                self._take(left)
            except EOFError:
                raise AssertionError(
                    f"stream closed waiting for {kind!r}/{session!r}; "
                    f"events: {self.summary()}")

    def collect(self, until):
        """Reads until wall time `until`; returns every event so far."""
        while True:
            left = until - time.time()
            if left <= 0:
                break
            try:
                self._take(left)
            except EOFError:
                break
        return list(self.events)

    def of(self, session):
        return [e for e in self.events if e.get("session") == session]

    def summary(self):
        return [(e.get("event"), e.get("session")) for e in self.events]


class CtlWatch(EventStream):
    """`calfctl -s SOCK watch --json`, read line by line with timeouts."""

    def __init__(self, sock, env=None, json_out=True):
        super().__init__()
        args = [str(CALFCTL), "-s", str(sock), "watch"]
        if json_out:
            args.append("--json")
        self.proc = subprocess.Popen(
            args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            env=env if env is not None else clean_env())
        self.lines = queue.Queue()
        self.raw_lines = []
        self.json_out = json_out
        threading.Thread(target=self._reader, daemon=True).start()

    def _reader(self):
        for line in self.proc.stdout:
            self.lines.put(line)
        self.lines.put(None)

    def _read(self, timeout):
        while True:
            try:
                line = self.lines.get(timeout=max(timeout, 0.001))
            except queue.Empty:
                return None
            if line is None:
                self.closed = True
                raise EOFError
            text = line.decode()
            self.raw_lines.append(text)
            if not self.json_out:
                return {"event": "_line", "line": text}
            obj = json.loads(text)      # every line must be one object
            assert isinstance(obj, dict), text
            return obj

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        err = self.proc.stderr.read().decode(errors="replace")
        assert not sanitizer_report(err), err
        return err


class RawClient(EventStream):
    """The protocol over a plain socket: send lines, read lines."""

    def __init__(self, sock, timeout=5.0):
        super().__init__()
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.s.settimeout(timeout)
        self.s.connect(str(sock))
        self.buf = b""
        self.replies = []

    def close(self):
        self.s.close()

    def send(self, data):
        if isinstance(data, dict):
            data = json.dumps(data).encode() + b"\n"
        elif isinstance(data, str):
            data = data.encode()
        self.s.sendall(data)

    def read_line(self, timeout=5.0):
        """One line without its newline; None on timeout; EOFError when
        calfd closed the connection."""
        deadline = time.time() + timeout
        while b"\n" not in self.buf:
            left = deadline - time.time()
            if left <= 0:
                return None
            r, _, _ = select.select([self.s], [], [], left)
            if not r:
                return None
            try:
                chunk = self.s.recv(65536)
            except ConnectionResetError:
                chunk = b""
            if not chunk:
                self.closed = True
                raise EOFError
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return line

    def _read_obj(self, timeout):
        line = self.read_line(timeout)
        if line is None:
            return None
        obj = json.loads(line)
        assert isinstance(obj, dict), line
        return obj

    def _read(self, timeout):
        """Next event; replies that arrive meanwhile are queued."""
        deadline = time.time() + timeout
        while True:
            obj = self._read_obj(max(deadline - time.time(), 0))
            if obj is None:
                return None
            if "event" in obj:
                return obj
            self.replies.append(obj)

    def reply(self, timeout=5.0):
        """The next reply (events read meanwhile go to self.events)."""
        deadline = time.time() + timeout
        while not self.replies:
            obj = self._read_obj(max(deadline - time.time(), 0))
            if obj is None:
                raise AssertionError(f"no reply within {timeout}s")
            if "event" in obj:
                obj["_recv"] = time.time()
                self.events.append(obj)
            else:
                self.replies.append(obj)
        return self.replies.pop(0)

    def request(self, *command, timeout=5.0, **fields):
        req = {"command": list(command)}
        req.update(fields)
        self.send(req)
        return self.reply(timeout)

    def drain(self):
        """Reads what is there without waiting, keeping only a trailing
        partial line; returns how many whole lines were dropped."""
        n = 0
        while select.select([self.s], [], [], 0)[0]:
            chunk = self.s.recv(1 << 20)
            if not chunk:
                self.closed = True
                raise EOFError
            self.buf += chunk
            n += self.buf.count(b"\n")
            self.buf = self.buf[self.buf.rfind(b"\n") + 1:]
        return n

    def wait_closed(self, timeout=5.0):
        """True when calfd closes the connection within timeout (any
        bytes that arrive first are discarded)."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                if self.read_line(deadline - time.time()) is None:
                    return False
            except EOFError:
                return True
        return False


# --- the daemon --------------------------------------------------------------

def short_dir(base):
    """A folder for the socket: under base when the path fits sun_path."""
    d = pathlib.Path(base)
    if len(str(d / "calfd.sock")) < 100:
        return d, False
    return pathlib.Path(tempfile.mkdtemp(prefix="calf-")), True


class Daemon:
    def __init__(self, workdir, routine, args=(), env=None, sock=None,
                 config=True, sock_arg=True):
        self.workdir = pathlib.Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        sockdir, self.own_sockdir = short_dir(self.workdir)
        self.sockdir = sockdir
        self.sock = pathlib.Path(sock) if sock else sockdir / "calfd.sock"
        self.state = self.workdir / "state"
        self.config = self.workdir / "routine.ini"
        self.stderr_path = self.workdir / f"calfd-{id(self)}.stderr"
        self.env = env if env is not None else clean_env()
        if routine is not None:
            self.config.write_text(routine)
        self.argv = [str(CALFD)]
        if config:
            self.argv += ["-c", str(self.config)]
        if sock_arg:
            self.argv += ["-s", str(self.sock)]
        self.argv += ["--state-dir", str(self.state)] + list(args)
        self.proc = None
        self.expect_dead = False   # the test killed it on purpose
        self.watchers = []
        self.clients = []

    def start(self, wait=True):
        self._err = open(self.stderr_path, "wb")
        self.proc = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL,
                                     stdout=self._err, stderr=self._err,
                                     env=self.env)
        if wait:
            self.wait_ready()
        return self

    @property
    def pid(self):
        return self.proc.pid

    def stderr(self):
        try:
            return self.stderr_path.read_text(errors="replace")
        except OSError:
            return ""

    def wait_ready(self, timeout=15.0):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(
                    f"calfd exited {self.proc.returncode} at start:\n"
                    f"{self.stderr()}")
            if self.sock.exists():
                try:
                    c = RawClient(self.sock, timeout=2)
                    try:
                        r = c.request("version")
                    finally:
                        c.close()
                    if r.get("code") == "success":
                        assert r["data"]["pid"] == self.pid, r
                        return
                except (OSError, EOFError):
                    pass
            time.sleep(0.02)
        raise AssertionError(f"calfd not ready in {timeout}s:\n"
                             f"{self.stderr()}")

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def ctl(self, *args, **kw):
        return ctl(self.sock, *args, env=kw.pop("env", self.env), **kw)

    def ctl_json(self, *args, ok=True):
        r = self.ctl("--json", *args)
        if ok:
            assert r.rc == 0, r
        return r.json

    def status(self):
        return self.ctl_json("status")

    def raw(self, timeout=5.0):
        c = RawClient(self.sock, timeout)
        self.clients.append(c)
        return c

    def raw_watch(self):
        c = self.raw()
        r = c.request("watch")
        assert r == {"error": "success", "code": "success", "data": {}}, r
        return c

    def watch(self, json_out=True, sync=True):
        """calfctl watch; with sync, returns only once it is subscribed
        (start and stop the probe session and see that arrive)."""
        w = CtlWatch(self.sock, env=self.env, json_out=json_out)
        self.watchers.append(w)
        if sync:
            self.sync(w)
        return w

    def sync(self, *streams):
        deadline = time.time() + 10
        while True:
            r = self.ctl("start", "probe")
            assert r.rc == 0, r
            assert self.ctl("stop", "probe").rc == 0
            try:
                for s in streams:
                    s.expect("stopped", "probe", timeout=0.5)
                return
            except AssertionError:
                if time.time() > deadline:
                    raise

    def send_signal(self, sig):
        self.proc.send_signal(sig)

    def stop(self, sig=signal.SIGTERM, timeout=10):
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                return "hung"
        return self.proc.returncode

    def teardown(self):
        """Stops everything; returns a list of problems found."""
        if getattr(self, "_torn_down", False):
            return []
        self._torn_down = True
        problems = []
        for w in self.watchers:
            try:
                w.stop()
            except AssertionError as e:
                problems.append(f"calfctl watch: {e}")
        for c in self.clients:
            c.close()
        if self.proc is not None:
            was_alive = self.proc.poll() is None
            rc = self.stop()
            if not self.expect_dead:
                if not was_alive:
                    problems.append(f"calfd died during the test (rc {rc})")
                elif rc != 0:
                    problems.append(f"calfd exited {rc} on SIGTERM")
            self._err.close()
        if sanitizer_report(self.stderr()):
            problems.append("calfd sanitizer report (see stderr)")
        if self.own_sockdir:
            shutil.rmtree(self.sockdir, ignore_errors=True)
        return problems


class CalfFactory:
    def __init__(self, tmp_path):
        self.tmp_path = tmp_path
        self.daemons = []

    def daemon(self, routine, name=None, **kw):
        """A Daemon, not started yet."""
        d = Daemon(self.tmp_path / (name or f"d{len(self.daemons)}"),
                   routine, **kw)
        self.daemons.append(d)
        return d

    def start(self, routine, name=None, **kw):
        return self.daemon(routine, name, **kw).start()


ZONEINFO = "/usr/share/zoneinfo"


def set_zone(etc, zone):
    """Replaces etc/localtime as systemd-timedated does: a new link renamed
    over the old one."""
    tmp = etc / "localtime.new"
    if tmp.is_symlink():
        tmp.unlink()
    os.symlink(f"{ZONEINFO}/{zone}", tmp)
    os.rename(tmp, etc / "localtime")
