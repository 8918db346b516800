"""calfd under systemd, checked with Debian's real systemd tools: the units
(`make install`, `systemd-analyze verify` and `security`), the notify
protocol (a NOTIFY_SOCKET owned by the test), socket activation
(`systemd-socket-activate`) and the journal (a journald of the test's own,
in a private mount namespace; root only)."""
import json
import os
import pathlib
import pty
import re
import select
import shutil
import signal
import socket
import struct
import subprocess
import tempfile
import tempfile
import threading
import time

import pytest

from calfsys import (CALFD, ROOT, BUILD, clean_env, ctl, future, hms,
                     routine_text, sanitizer_report, session_ini)

UNITS = ("user/calfd.service", "user/calfd.socket",
         "system/calfd.service", "system/calfd.socket")
# Namespace-based sandboxing that a user manager cannot apply without user
# namespaces, or at all (doc/daemon.md, "Under systemd").
USER_FORBIDDEN = ("PrivateTmp", "PrivateDevices", "PrivateUsers",
                  "ProtectHome", "ProtectSystem", "ProtectKernelModules")
# The documented exposure figures (doc/daemon.md): the system service is
# hardened fully; the user service can only use the seccomp set, which
# systemd-analyze scores against capabilities no user service can drop.
SYSTEM_EXPOSURE_MAX = 1.0
USER_EXPOSURE_MAX = 6.0
MESSAGE_ID_DUE = "8c48c662ef8144c98a6f98cb6a1009af"

needs_root = pytest.mark.skipif(os.geteuid() != 0,
                                reason="needs root (mount namespace, "
                                "tmpfs, setpriv)")


def tool(name):
    path = shutil.which(name) or (f"/lib/systemd/{name}"
                                  if os.path.exists(f"/lib/systemd/{name}")
                                  else None)
    if path is None:
        pytest.fail(f"{name} is not installed (scripts/deps.sh installs "
                    f"systemd)")
    return path


SHORT = {}


@pytest.fixture(scope="module", autouse=True)
def short_runtime_folder():
    """One runtime folder for systemd-analyze, with a short name: other
    packages' user units put sockets in it (gpg-agent's), and a socket path
    over 108 bytes makes systemd-analyze complain (pytest's folders are
    long, longer still under xdist)."""
    with tempfile.TemporaryDirectory(prefix="calf-rt-", dir="/tmp") as d:
        SHORT["runtime"] = d
        yield


def analyze_env(tmp_path):
    """systemd-analyze --user wants a runtime folder; give it a private one
    (tmp_path is not used for it: see short_runtime_folder)."""
    run = SHORT["runtime"]
    env = dict(os.environ, XDG_RUNTIME_DIR=str(run), SYSTEMD_PAGER="",
               SYSTEMD_COLORS="0")
    return env


def units_for_analyze(tmp_path):
    """The four units as `make install` writes them, but with ExecStart= on
    the built calfd (verify checks that the binary exists)."""
    out = {}
    for u in UNITS:
        d = tmp_path / "units" / u.split("/")[0]
        d.mkdir(parents=True, exist_ok=True)
        text = (ROOT / "systemd" / (u + ".in")).read_text()
        text = text.replace("@BINDIR@", str(BUILD)).replace(
            "@SYSUSERSDIR@", "/usr/lib/sysusers.d")
        (d / u.split("/")[1]).write_text(text)
        out[u] = d / u.split("/")[1]
    return out


# --- install and the units --------------------------------------------------

def test_install_puts_units_with_the_installed_calfd(tmp_path):
    dest = tmp_path / "dest"
    r = subprocess.run(["make", "-s", "-C", str(ROOT), f"BUILD={BUILD}",
                        f"DESTDIR={dest}", "PREFIX=/usr", "install"],
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    for kind in ("user", "system"):
        for name in ("calfd.service", "calfd.socket"):
            f = dest / "usr/lib/systemd" / kind / name
            assert f.is_file(), f
            assert f.stat().st_mode & 0o777 == 0o644
            assert not re.search(r"@[A-Z]+@", f.read_text()), f
        svc = (dest / "usr/lib/systemd" / kind / "calfd.service").read_text()
        assert re.search(r"^ExecStart=/usr/bin/calfd$", svc, re.M), svc
    assert (dest / "usr/bin/calfd").is_file()
    assert (dest / "usr/lib/sysusers.d/calf.conf").read_text().count(
        "g calf") == 1
    r = subprocess.run(["make", "-s", "-C", str(ROOT), f"BUILD={BUILD}",
                        f"DESTDIR={dest}", "PREFIX=/usr", "uninstall"],
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    left = [p for p in dest.rglob("*") if p.is_file()]
    assert left == [], left


@pytest.mark.parametrize("kind", ["user", "system"])
def test_units_verify_silently(tmp_path, kind):
    units = units_for_analyze(tmp_path)
    args = [tool("systemd-analyze"), "verify", "--man=no"]
    if kind == "user":
        args.append("--user")
    files = [str(units[f"{kind}/calfd.service"]),
             str(units[f"{kind}/calfd.socket"])]
    for one in files:
        r = subprocess.run(args + [one], capture_output=True, text=True,
                           env=analyze_env(tmp_path), timeout=120)
        assert (r.returncode, r.stdout, r.stderr) == (0, "", ""), r
    # The check can fail: a misspelt directive only warns, and is seen.
    bad = pathlib.Path(files[0])
    bad.write_text(bad.read_text().replace("Restart=", "Restrat=", 1))
    r = subprocess.run(args + files, capture_output=True, text=True,
                       env=analyze_env(tmp_path), timeout=120)
    assert "Restrat" in r.stdout + r.stderr, r


def exposure(tmp_path, unit, user):
    args = [tool("systemd-analyze"), "security", "--offline=true",
            "--no-pager"]
    if user:
        args.append("--user")
    r = subprocess.run(args + [str(unit)], capture_output=True, text=True,
                       env=analyze_env(tmp_path), timeout=120)
    m = re.search(r"Overall exposure level for \S+: (\d+\.\d+)", r.stdout)
    assert m, r
    return float(m.group(1))


def test_system_service_exposure(tmp_path):
    units = units_for_analyze(tmp_path)
    x = exposure(tmp_path, units["system/calfd.service"], user=False)
    assert x <= SYSTEM_EXPOSURE_MAX, x


def test_user_service_uses_only_what_a_user_manager_applies(tmp_path):
    units = units_for_analyze(tmp_path)
    text = units["user/calfd.service"].read_text()
    directives = {ln.split("=", 1)[0].strip() for ln in text.splitlines()
                  if "=" in ln and not ln.lstrip().startswith("#")}
    assert not directives & set(USER_FORBIDDEN), directives
    assert "CapabilityBoundingSet" not in directives
    for d in ("NoNewPrivileges", "SystemCallFilter", "RestrictAddressFamilies",
              "MemoryDenyWriteExecute", "LockPersonality",
              "SystemCallArchitectures", "RestrictSUIDSGID", "UMask"):
        assert d in directives, d
    x = exposure(tmp_path, units["user/calfd.service"], user=True)
    assert x <= USER_EXPOSURE_MAX, x


def test_message_ids_are_the_documented_ones():
    """Every event kind (common/proto.c's names) has its own MESSAGE_ID,
    and doc/daemon.md lists the same ones the code sends."""
    kinds = set(re.findall(r'\[EV_[A-Z]+\] = "([a-z]+)"',
                           (ROOT / "common/proto.c").read_text()))
    code = dict((k.lower(), v) for k, v in re.findall(
        r'\[EV_([A-Z]+)\] =\s+"([0-9a-f]{32})"',
        (ROOT / "daemon/systemd.c").read_text()))
    doc = dict(re.findall(r"^\| `([a-z]+)` \| `([0-9a-f]{32})` \|$",
                          (ROOT / "doc/daemon.md").read_text(), re.M))
    assert len(kinds) >= 15 and "replaced" in kinds, kinds
    assert set(code) == kinds, set(code) ^ kinds
    assert len(set(code.values())) == len(code), code
    assert doc == code
    assert code["due"] == MESSAGE_ID_DUE


def test_help_and_manual_name_the_systemd_state_directory():
    r = subprocess.run([str(CALFD), "--help"], capture_output=True,
                       text=True, timeout=20)
    assert r.returncode == 0
    assert "$STATE_DIRECTORY" in r.stdout
    man = (ROOT / "daemon/calfd.8").read_text()
    assert "STATE_DIRECTORY" in man and ".Sh SYSTEMD" in man


# --- the notify protocol ----------------------------------------------------

class NotifyReceiver:
    """A NOTIFY_SOCKET: each datagram with the sender's pid (SO_PASSCRED)
    and the CLOCK_MONOTONIC time it arrived."""

    def __init__(self, path):
        self.path = str(path)
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.s.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
        self.s.bind(self.path)
        self.msgs = []          # (monotonic, pid, {key: value})
        self.cv = threading.Condition()
        self.stop_flag = False
        self.t = threading.Thread(target=self._run, daemon=True)
        self.t.start()

    def _run(self):
        while not self.stop_flag:
            r, _, _ = select.select([self.s], [], [], 0.1)
            if not r:
                continue
            data, anc, _, _ = self.s.recvmsg(4096, socket.CMSG_SPACE(12))
            pid = None
            for level, typ, cdata in anc:
                if level == socket.SOL_SOCKET and \
                        typ == socket.SCM_CREDENTIALS:
                    pid = struct.unpack("iII", cdata[:12])[0]
            fields = dict(ln.split("=", 1) for ln in
                          data.decode().splitlines() if "=" in ln)
            with self.cv:
                self.msgs.append((time.monotonic(), pid, fields))
                self.cv.notify_all()

    def wait(self, pred, start=0, timeout=15):
        """Index of the first message from index start that satisfies
        pred(fields)."""
        deadline = time.time() + timeout
        with self.cv:
            while True:
                for i in range(start, len(self.msgs)):
                    if pred(self.msgs[i][2]):
                        return i
                left = deadline - time.time()
                if left <= 0:
                    raise AssertionError(
                        f"no matching notify message; got "
                        f"{[m[2] for m in self.msgs[start:]]}")
                self.cv.wait(left)

    def close(self):
        self.stop_flag = True
        self.t.join(5)
        self.s.close()


def has(key, value=None):
    return lambda f: key in f and (value is None or f[key] == value)


def notify_daemon(calf, tmp_path, routine, extra_env, wdpid=True):
    """calfd with NOTIFY_SOCKET (and WATCHDOG_PID=its own pid, set by a
    shell that then execs it, so the pid is calfd's)."""
    rx = NotifyReceiver(tmp_path / "notify.sock")
    env = clean_env(NOTIFY_SOCKET=str(rx.path), **extra_env)
    d = calf.daemon(routine, env=env)
    if wdpid:
        d.argv = ["/bin/sh", "-c", 'WATCHDOG_PID=$$; export WATCHDOG_PID; '
                  'exec "$@"', "sh"] + d.argv
    d.start(wait=False)
    return d, rx


def test_notify_ready_status_reload_watchdog_stopping(calf, tmp_path):
    soon = future(3 * 3600)
    routine = routine_text(session_ini("soak", at=hms(soon)[:5],
                                       duration="10m",
                                       title="Warm foot soak"))
    d, rx = notify_daemon(calf, tmp_path, routine,
                          {"WATCHDOG_USEC": "400000"})
    try:
        i = rx.wait(has("READY", "1"))
        # At the moment READY=1 arrives, calfctl is answered.
        r = d.ctl("--json", "status")
        assert r.rc == 0, r
        assert rx.msgs[i][1] == d.pid
        assert rx.msgs[i][2]["STATUS"].startswith("next: Warm foot soak at")
        assert hms(soon)[:5] in rx.msgs[i][2]["STATUS"]

        # A change updates STATUS= without anyone asking.
        n = len(rx.msgs)
        assert d.ctl("start", "probe").rc == 0
        j = rx.wait(lambda f: f.get("STATUS", "").startswith(
            "Probe running, ends at"), start=n)
        assert rx.msgs[j][1] == d.pid
        assert d.ctl("stop", "probe").rc == 0
        rx.wait(has("STATUS", rx.msgs[i][2]["STATUS"]), start=j)

        # Reload by calfctl, then by SIGHUP: RELOADING=1 with the
        # monotonic time, then READY=1.
        for how in ("calfctl", "signal"):
            n = len(rx.msgs)
            t0 = time.monotonic()
            if how == "calfctl":
                assert d.ctl("reload").rc == 0
            else:
                d.send_signal(signal.SIGHUP)
            a = rx.wait(has("RELOADING", "1"), start=n)
            b = rx.wait(has("READY", "1"), start=a + 1)
            t1 = time.monotonic()
            mono = int(rx.msgs[a][2]["MONOTONIC_USEC"]) / 1e6
            assert t0 - 0.01 <= mono <= t1 + 0.01, (t0, mono, t1)
            assert rx.msgs[a][1] == rx.msgs[b][1] == d.pid
            assert rx.msgs[b][2]["STATUS"].startswith("next: Warm foot")

        # A refused reload also ends with READY=1, and says so.
        d.config.write_text("[soak]\nat = 25:00\n")
        n = len(rx.msgs)
        assert d.ctl("reload").rc != 0
        a = rx.wait(has("RELOADING", "1"), start=n)
        b = rx.wait(has("READY", "1"), start=a + 1)
        assert rx.msgs[b][2]["STATUS"].startswith("reload refused ("), \
            rx.msgs[b][2]
        assert "next: Warm foot soak" in rx.msgs[b][2]["STATUS"]

        # The watchdog is pinged from the loop at half WATCHDOG_USEC.
        n = len(rx.msgs)
        time.sleep(1.5)
        pings = [m for m in rx.msgs[n:] if m[2].get("WATCHDOG") == "1"]
        assert len(pings) >= 2, rx.msgs[n:]
        assert all(m[1] == d.pid for m in pings)

        n = len(rx.msgs)
        d.expect_dead = True
        assert d.stop() == 0
        k = rx.wait(has("STOPPING", "1"), start=n)
        assert rx.msgs[k][1] == d.pid
    finally:
        rx.close()


def test_status_follows_due_snooze_and_pause(calf, tmp_path):
    at = future(6)
    routine = routine_text(session_ini("soak", at=hms(at), duration="10m",
                                       title="Warm foot soak", remind="0"))
    d, rx = notify_daemon(calf, tmp_path, routine, {}, wdpid=False)
    try:
        rx.wait(has("READY", "1"))
        hm = hms(at)[:5]
        rx.wait(has("STATUS", f"Warm foot soak due since {hm}"), timeout=30)
        assert d.ctl("snooze", "soak", "2h").rc == 0
        until = hms(at + 7200)[:5]
        rx.wait(lambda f: f.get("STATUS", "").startswith(
            f"Warm foot soak snoozed until {until}"))
        assert d.ctl("pause", "1h").rc == 0
        rx.wait(lambda f: "; paused until " in f.get("STATUS", ""))
        assert d.ctl("resume").rc == 0
        assert d.ctl("skip", "soak").rc == 0
        rx.wait(lambda f: f.get("STATUS", "").startswith(
            "next: Warm foot soak at "))
        assert all(m[1] == d.pid for m in rx.msgs)
    finally:
        rx.close()


def wakeups(pid):
    """How often the process has been switched to: it only grows while
    the process runs."""
    text = pathlib.Path(f"/proc/{pid}/status").read_text()
    return sum(int(v) for k, v in re.findall(
        r"^(voluntary_ctxt_switches|nonvoluntary_ctxt_switches):\s+(\d+)",
        text, re.M))


def settled_wakeups(pid):
    """wakeups() once the start is over: two readings 0.3 s apart agree."""
    deadline = time.time() + 20
    last = wakeups(pid)
    while time.time() < deadline:
        time.sleep(0.3)
        now = wakeups(pid)
        if now == last:
            return now
        last = now
    raise AssertionError("calfd never settled")


def test_no_watchdog_no_pings(calf, tmp_path):
    """WATCHDOG_PID naming another process means the watchdog is not ours;
    no WATCHDOG_USEC means none at all: calfd sends no pings then."""
    for extra, wdpid in (({"WATCHDOG_USEC": "200000",
                           "WATCHDOG_PID": "1"}, False), ({}, True)):
        rx = NotifyReceiver(tmp_path / f"n{len(extra)}.sock")
        try:
            env = clean_env(NOTIFY_SOCKET=rx.path, **extra)
            d = calf.daemon(routine_text(), env=env,
                            name=f"w{len(extra)}")
            d.start(wait=False)
            rx.wait(has("READY", "1"))
            before = settled_wakeups(d.pid)
            time.sleep(1.5)
            assert not [m for m in rx.msgs if "WATCHDOG" in m[2]], rx.msgs
            # Nothing due, no watchdog: calfd sleeps, not even a tick.
            assert wakeups(d.pid) == before
            d.expect_dead = True
            assert d.stop() == 0
        finally:
            rx.close()


# --- socket activation ------------------------------------------------------

def test_socket_activation_first_client_is_answered(calf, tmp_path):
    d = calf.daemon(routine_text())
    sock = d.sock
    argv = [tool("systemd-socket-activate"), "-l", str(sock),
            "-E", "TZ=UTC", "-E", "LC_ALL=C.UTF-8",
            str(CALFD), "-c", str(d.config), "--state-dir", str(d.state)]
    err = open(tmp_path / "activate.stderr", "wb")
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=err,
                            stderr=err, env=clean_env())
    try:
        deadline = time.time() + 15
        while not sock.exists():
            assert proc.poll() is None, (tmp_path / "activate.stderr"
                                         ).read_text()
            assert time.time() < deadline, "no socket from the activator"
            time.sleep(0.02)
        # Nothing runs calfd yet; the first calfctl starts it.
        r = ctl(sock, "--json", "version")
        assert r.rc == 0, r
        assert r.json["pid"] == proc.pid     # exec'd in place
        r = ctl(sock, "status")
        assert r.rc == 0, r
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
        # The socket was systemd's: calfd leaves it where it was.
        assert sock.is_socket(), "calfd removed a socket it did not create"
        log = (tmp_path / "activate.stderr").read_text()
        assert "listening on the socket systemd passed" in log, log
        assert not sanitizer_report(log), log
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        err.close()


@needs_root
def test_passed_socket_admits_whom_its_mode_admits(calf, tmp_path):
    """The system socket lets in the group calf by its mode and group; calfd
    does not add its own same-uid check on a socket systemd passed."""
    d = calf.daemon(routine_text())
    # A folder every user can pass through, as /run/calf is.
    sockdir = pathlib.Path(tempfile.mkdtemp(prefix="calf-g-"))
    os.chmod(sockdir, 0o755)
    d.sock = sockdir / "calfd.sock"
    argv = [tool("systemd-socket-activate"), "-l", str(d.sock),
            "-E", "TZ=UTC", str(CALFD), "-c", str(d.config),
            "--state-dir", str(d.state)]
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, env=clean_env())
    try:
        deadline = time.time() + 15
        while not d.sock.exists():
            assert time.time() < deadline
            time.sleep(0.02)
        os.chmod(d.sock, 0o666)
        r = ctl(d.sock, "status", uid_wrap=[
            "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"])
        assert r.rc == 0, r
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        shutil.rmtree(sockdir, ignore_errors=True)


@needs_root
def test_as_the_system_unit_runs_it(tmp_path):
    """What the system unit gives calfd: a uid of its own, no $XDG_*,
    $HOME=/, $STATE_DIRECTORY, the socket passed, no -s, no -c, no
    --state-dir. It starts, answers, and keeps its state where systemd
    said."""
    base = pathlib.Path(tempfile.mkdtemp(prefix="calf-s-"))
    os.chmod(base, 0o755)
    state = base / "state"
    state.mkdir(mode=0o700)
    os.chown(state, 65534, 65534)
    sock = base / "calfd.sock"
    argv = [tool("systemd-socket-activate"), "-l", str(sock),
            "-E", "TZ=UTC", "-E", "HOME=/", "-E", f"STATE_DIRECTORY={state}",
            "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
            str(CALFD)]
    err = open(tmp_path / "stderr", "wb")
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=err,
                            stderr=err, env={"PATH": os.environ["PATH"]})
    try:
        deadline = time.time() + 15
        while not sock.exists():
            assert time.time() < deadline
            time.sleep(0.02)
        os.chmod(sock, 0o666)
        r = ctl(sock, "--json", "status")
        assert r.rc == 0, r
        r = ctl(sock, "pause", "1h")
        assert r.rc == 0, r
        assert (state / "state.json").exists()
        assert (state / "state.json").stat().st_uid == 65534
        proc.terminate()
        assert proc.wait(timeout=10) == 0
        log = (tmp_path / "stderr").read_text()
        assert re.search(r"routine (built-in|/etc/calf/routine\.ini) ",
                         log), log
        assert not sanitizer_report(log), log
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        err.close()
        shutil.rmtree(base, ignore_errors=True)


# --- stderr: the journal, a terminal ------------------------------------

JOURNAL_SCENARIO = r'''
import json, os, socket, subprocess, sys, time
calfd, conf, state, sockp, out = sys.argv[1:6]
subprocess.run(["mount", "-t", "tmpfs", "tmpfs", "/run"], check=True)
for d in ("/var/log/journal",):
    if os.path.isdir(d):
        subprocess.run(["mount", "-t", "tmpfs", "tmpfs", d], check=True)
jd = subprocess.Popen(["/lib/systemd/systemd-journald"],
                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
calf = None
try:
    t = time.time() + 15
    while not os.path.exists("/run/systemd/journal/stdout"):
        assert time.time() < t, "journald did not start"
        time.sleep(0.05)
    # What systemd does for StandardError=journal: a stream connection with
    # its header, and $JOURNAL_STREAM naming it.
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect("/run/systemd/journal/stdout")
    s.shutdown(socket.SHUT_RD)
    s.sendall(b"calfd\n\n6\n0\n0\n0\n0\n")
    st = os.fstat(s.fileno())
    env = dict(os.environ, JOURNAL_STREAM=f"{st.st_dev}:{st.st_ino}")
    calf = subprocess.Popen([calfd, "-c", conf, "-s", sockp, "--state-dir",
                             state], stdin=subprocess.DEVNULL,
                            stdout=s.fileno(), stderr=s.fileno(), env=env)
    s.close()
    found = []
    t = time.time() + 30
    while not found and time.time() < t:
        time.sleep(0.3)
        r = subprocess.run(["journalctl", "-o", "json", "--no-pager",
                            "CALF_EVENT=due"], capture_output=True,
                           text=True)
        found = [json.loads(l) for l in r.stdout.splitlines() if l.strip()]
    r = subprocess.run(["journalctl", "-o", "json", "--no-pager",
                        "SYSLOG_IDENTIFIER=calfd"], capture_output=True,
                       text=True)
    every = [json.loads(l) for l in r.stdout.splitlines() if l.strip()]
    json.dump({"due": found, "all": every}, open(out, "w"))
finally:
    if calf is not None:
        calf.terminate()
        calf.wait(10)
    jd.terminate()
    jd.wait(10)
'''


@needs_root
def test_journal_entries_have_calf_fields(tmp_path):
    if not os.path.exists("/lib/systemd/systemd-journald"):
        pytest.fail("systemd-journald is missing")
    at = future(8)
    conf = tmp_path / "routine.ini"
    conf.write_text(routine_text(session_ini(
        "soak", at=hms(at), duration="10m", title="Warm foot soak",
        prompt="Fill the basin", temperature="38")))
    script = tmp_path / "scenario.py"
    script.write_text(JOURNAL_SCENARIO)
    out = tmp_path / "out.json"
    sockdir = pathlib.Path(tempfile.mkdtemp(prefix="calf-j-"))
    try:
        r = subprocess.run(
            ["unshare", "--mount", "--propagation", "private",
             "/usr/bin/python3", str(script), str(CALFD), str(conf),
             str(tmp_path / "state"), str(sockdir / "calfd.sock"), str(out)],
            capture_output=True, text=True, timeout=120,
            env=clean_env())
    finally:
        shutil.rmtree(sockdir, ignore_errors=True)
    assert r.returncode == 0, r.stderr
    res = json.loads(out.read_text())
    assert len(res["due"]) == 1, res
    e = res["due"][0]
    assert e["CALF_SESSION"] == "soak"
    assert e["CALF_DUE_USEC"] == str(at * 1_000_000)
    assert e["PRIORITY"] == "5"
    assert e["MESSAGE_ID"] == MESSAGE_ID_DUE
    assert e["SYSLOG_IDENTIFIER"] == "calfd"
    assert e["CALF_TITLE"] == "Warm foot soak"
    assert e["MESSAGE"].startswith("due soak: ")
    # The structured facts the event has, and none it has not.
    assert e["CALF_ORIGIN"] == "schedule"
    assert (e["CALF_DURATION_MIN_SEC"], e["CALF_DURATION_MAX_SEC"]) == (
        "600", "600")
    assert e["CALF_TEMPERATURE"] == "38"
    assert e["CALF_TEXT"] == "Fill the basin"
    assert e["CALF_FIRST_DUE_USEC"] == str(at * 1_000_000)
    for absent in ("CALF_STARTED_USEC", "CALF_ELAPSED_SEC", "CALF_COUNT",
                   "CALF_REASON", "CALF_UNTIL_USEC"):
        assert absent not in e, (absent, e)
    # One entry per event: no plain duplicate of the prompt; log lines are
    # entries with a priority, not "<6>" text.
    dues = [x for x in res["all"] if "due soak" in x.get("MESSAGE", "")]
    assert len(dues) == 1, dues
    assert any(x.get("MESSAGE", "").startswith("routine ") and
               x.get("PRIORITY") == "6" for x in res["all"]), res["all"]
    assert not [x for x in res["all"] if
                str(x.get("MESSAGE", "")).startswith("<")], res["all"]


def test_journal_stream_that_is_not_stderr_is_ignored(calf, tmp_path):
    """$JOURNAL_STREAM left over from a parent, with stderr now a file:
    plain lines, as without systemd."""
    d = calf.start(routine_text(), env=clean_env(JOURNAL_STREAM="1:2"))
    d.expect_dead = True
    assert d.stop() == 0
    text = d.stderr()
    assert "calfd: routine " in text, text
    assert not text.startswith("<"), text


def test_stderr_on_a_terminal_gets_a_timestamp(calf, tmp_path):
    d = calf.daemon(routine_text())
    master, slave = pty.openpty()
    proc = subprocess.Popen(d.argv, stdin=subprocess.DEVNULL, stdout=slave,
                            stderr=slave, env=d.env)
    os.close(slave)
    buf = b""
    try:
        deadline = time.time() + 15
        while b"listening on" not in buf and time.time() < deadline:
            r, _, _ = select.select([master], [], [], 0.5)
            if r:
                try:
                    buf += os.read(master, 4096)
                except OSError:
                    break
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        os.close(master)
    lines = [ln for ln in buf.decode().splitlines() if ln.strip()]
    assert lines, buf
    for ln in lines:
        assert re.match(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d calfd: ", ln), ln


# --- the README's steps under a real user manager ---------------------------

USER_MANAGER_SCRIPT = r'''
set -e
mount -t tmpfs tmpfs /run
mount -t tmpfs tmpfs /usr/local
if [ -d /var/log/journal ]; then mount -t tmpfs tmpfs /var/log/journal; fi
mkdir -p /run/systemd/system /run/user/0
chmod 700 /run/user/0
/lib/systemd/systemd-journald >/dev/null 2>&1 &
echo $! > "$JOURNALD_PID"
for i in $(seq 100); do
	[ -S /run/systemd/journal/socket ] && break
	sleep 0.1
done
for f in $CGROUP_PROCS; do echo $$ > "$f"; done
exec env -i HOME="$HOME" XDG_CONFIG_HOME="$XDG_CONFIG_HOME" \
    XDG_STATE_HOME="$XDG_STATE_HOME" XDG_RUNTIME_DIR=/run/user/0 \
    PATH=/usr/local/bin:/usr/bin:/bin TZ=UTC LC_ALL=C.UTF-8 \
    ASAN_OPTIONS="$ASAN_OPTIONS" /lib/systemd/systemd --user
'''


def user_manager_cgroups():
    """Where a user manager's cgroup can be made: the name=systemd (and
    unified) hierarchies of a host that does not run systemd itself. None
    when this host cannot have one made by a test."""
    if os.path.isdir("/run/systemd/system"):
        return None     # the host's own systemd owns the cgroup tree
    sub = "user.slice/user-0.slice/user@0.service"
    roots = [r for r in ("/sys/fs/cgroup/systemd", "/sys/fs/cgroup/unified")
             if os.path.exists(f"{r}/cgroup.procs")]
    if not roots and os.path.exists("/sys/fs/cgroup/cgroup.controllers"):
        roots = ["/sys/fs/cgroup"]
    made = []
    try:
        for r in roots:
            os.makedirs(f"{r}/{sub}", exist_ok=True)
            made.append(f"{r}/{sub}")
    except OSError:
        remove_cgroups(made)
        return None
    return made or None


def remove_cgroups(dirs):
    for d in dirs:
        for top in (d, os.path.dirname(d), os.path.dirname(
                os.path.dirname(d))):
            for root, _, _ in os.walk(top, topdown=False):
                try:
                    os.rmdir(root)
                except OSError:
                    pass


@needs_root
def test_readme_steps_under_a_user_manager(tmp_path):
    """`make install`, `systemctl --user enable --now calfd.socket
    calfd.service`, its status line, calfctl, a reload after an edit, the
    journal by field, and socket activation after a stop: with a real
    systemd user manager, in a private mount namespace."""
    cgroups = user_manager_cgroups()
    if cgroups is None:
        pytest.skip("no cgroup a test can give a user manager here (the "
                    "host runs systemd, or the cgroup tree is read-only)")
    home = tmp_path / "home"
    conf = home / ".config"
    (conf / "calf").mkdir(parents=True)
    jpid_file = tmp_path / "journald.pid"
    script = tmp_path / "manager.sh"
    script.write_text(USER_MANAGER_SCRIPT)
    env = {"PATH": os.environ["PATH"], "HOME": str(home),
           "XDG_CONFIG_HOME": str(conf),
           "XDG_STATE_HOME": str(home / ".local/state"),
           "JOURNALD_PID": str(jpid_file),
           # LeakSanitizer stops the process with ptrace, which the unit's
           # system call filter forbids: a sanitized calfd runs there
           # without leak checks (the other tests keep them).
           "ASAN_OPTIONS": "detect_leaks=0",
           "CGROUP_PROCS": " ".join(f"{c}/cgroup.procs" for c in cgroups)}
    log = open(tmp_path / "manager.log", "wb")
    mgr = subprocess.Popen(["unshare", "--mount", "--propagation",
                            "private", "/bin/sh", str(script)],
                           stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                           env=env)

    def inside(*argv, user=True, check=True, timeout=120):
        e = {"PATH": "/usr/local/bin:/usr/bin:/bin", "TZ": "UTC",
             "LC_ALL": "C.UTF-8", "HOME": str(home), "SYSTEMD_PAGER": "",
             "SYSTEMD_COLORS": "0"}
        if user:
            e["XDG_RUNTIME_DIR"] = "/run/user/0"
        r = subprocess.run(["nsenter", "-t", str(mgr.pid), "-m"] +
                           [str(a) for a in argv], capture_output=True,
                           text=True, env=e, timeout=timeout)
        if check:
            assert r.returncode == 0, (argv, r.stdout, r.stderr, journal())
        return r

    def journal():
        return subprocess.run(["nsenter", "-t", str(mgr.pid), "-m",
                               "journalctl", "--no-pager", "-n", "30"],
                              capture_output=True, text=True,
                              timeout=60).stdout

    def show(prop):
        return inside("systemctl", "--user", "show", "calfd", "-p", prop,
                      "--value").stdout.strip()

    def wait_for(pred, what, timeout=20):
        deadline = time.time() + timeout
        while not pred():
            assert time.time() < deadline, what
            time.sleep(0.1)

    try:
        def manager_up():
            assert mgr.poll() is None, (tmp_path / "manager.log").read_text()
            return inside("test", "-S", "/run/user/0/systemd/private",
                          check=False).returncode == 0
        deadline = time.time() + 20
        while not manager_up():
            if time.time() > deadline:
                pytest.skip("the user manager did not start here: " +
                            (tmp_path / "manager.log").read_text()[-300:])
            time.sleep(0.1)
        inside("journalctl", "--flush", user=False)
        inside("make", "-s", "-C", ROOT, f"BUILD={BUILD}", "install",
               user=False, timeout=600)

        inside("systemctl", "--user", "daemon-reload")
        inside("systemctl", "--user", "enable", "--now", "calfd.socket",
               "calfd.service")
        assert show("ActiveState") == "active"
        assert "next: " in show("StatusText"), show("StatusText")
        r = inside("calfctl", "status")
        assert "Routine: built-in" in r.stdout, r.stdout

        # Edit, reload: the status line follows.
        at = future(8)
        (conf / "calf/routine.ini").write_text(session_ini(
            "soak", at=hms(at), duration="10m", title="Warm foot soak",
            remind="0"))
        inside("systemctl", "--user", "reload", "calfd")
        wait_for(lambda: show("StatusText").startswith(
            "next: Warm foot soak at "), "no status after the reload")
        wait_for(lambda: show("StatusText").startswith(
            "Warm foot soak due since "), "no due status", timeout=30)
        r = inside("journalctl", "--user-unit=calfd", "CALF_EVENT=due",
                   "-o", "json", "--no-pager")
        e = json.loads(r.stdout.splitlines()[-1])
        assert (e["CALF_SESSION"], e["MESSAGE_ID"], e["PRIORITY"]) == (
            "soak", MESSAGE_ID_DUE, "5"), e
        assert e["CALF_DUE_USEC"] == str(at * 1_000_000)

        # Stopped, the socket stays and the next calfctl starts calfd.
        pid = show("MainPID")
        inside("systemctl", "--user", "stop", "calfd.service")
        assert show("ActiveState") == "inactive", journal()
        r = inside("calfctl", "status")
        assert "Warm foot soak" in r.stdout
        assert show("ActiveState") == "active"
        assert show("MainPID") not in ("0", pid)
        assert show("NRestarts") == "0"
    finally:
        if mgr.poll() is None:
            mgr.terminate()
            try:
                mgr.wait(timeout=30)
            except subprocess.TimeoutExpired:
                mgr.kill()
                mgr.wait()
        if jpid_file.exists():
            try:
                os.kill(int(jpid_file.read_text()), signal.SIGTERM)
            except (ValueError, ProcessLookupError):
                pass
        log.close()
        remove_cgroups(cgroups)
