#!/usr/bin/python3
"""make bench: calfd's costs, each beside a baseline measured in the same run.

The machines calf is measured on are shared and noisy, so every figure is
given as a ratio to a baseline run at the same time, with both absolute
values beside it. Prints one table and rewrites the results part of
BENCHMARKS.md (between the bench:begin and bench:end marks; the notes
around it are kept).

Parts (each says what it measures and against what):
  lateness  fired_us - due_us, and the receive time of an external
            `calfctl watch --json` reader - due_us, for >= 200 prompts,
            beside a C program sleeping on an absolute CLOCK_REALTIME
            timerfd to the same deadlines; alone, with 250 idle clients,
            and with one client flooding requests.
  idle      context switches and CPU over >= 60 s with nothing due, beside
            Debian's cron (private mount namespace, root only) and
            `remind -z` holding the same schedule; and calfd again with
            /etc churning (root only).
  memory    VmRSS, RssAnon, Pss with the default routine and with 10,000
            sessions, beside cron and remind holding the same schedule;
            calfd again after five reloads.
  control   `calfctl status` end to end beside a one-shot C client and
            /bin/true; requests/s over one connection beside a raw
            Unix-socket echo.
  scale     --check-config and --agenda 10000 time and peak memory for 10,
            1,000 and 10,000 sessions beside `remind -n` on the same times;
            reload time.

Environment: CALF_BUILD (the build folder), BENCH_QUICK=1 (short runs, for
trying the harness; the figures are then not worth committing).
"""
import datetime as dt
import json
import math
import os
import pathlib
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[2]
BUILD = pathlib.Path(os.environ.get("CALF_BUILD") or ROOT / "build")
CALFD, CALFCTL = BUILD / "calfd", BUILD / "calfctl"
HELP = BUILD / "bench"
QUICK = os.environ.get("BENCH_QUICK") == "1"
LATE_SECONDS = 12 if QUICK else 50      # seconds with prompts, per scenario
LATE_PER_SECOND = 4                     # prompts due in each of them
IDLE_SECONDS = 10 if QUICK else 60
REPEAT = 20 if QUICK else 200           # control: processes per kind
ROOTED = os.geteuid() == 0 and shutil.which("unshare") is not None
US = 1_000_000

WORK = pathlib.Path(tempfile.mkdtemp(prefix="calf-bench-"))
ROWS = []       # (part, what, calf, baseline name, baseline, ratio)
NOTES = []      # sentences printed under the table
FACTS = {}      # named figures for the aims


# --- measuring processes -----------------------------------------------------

def proc_status(pid):
    out = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            k, _, v = line.partition(":")
            out[k] = v.split()[0] if v.split() else ""
    return out


def memory(pid):
    """VmRSS, RssAnon and Pss in kB."""
    st = proc_status(pid)
    pss = 0
    with open(f"/proc/{pid}/smaps_rollup") as f:
        for line in f:
            if line.startswith("Pss:"):
                pss = int(line.split()[1])
    return {"VmRSS": int(st["VmRSS"]), "RssAnon": int(st["RssAnon"]),
            "Pss": pss}


def activity(pid):
    """(context switches, CPU ns) so far."""
    st = proc_status(pid)
    with open(f"/proc/{pid}/schedstat") as f:
        cpu = int(f.read().split()[0])
    return (int(st["voluntary_ctxt_switches"]) +
            int(st["nonvoluntary_ctxt_switches"]), cpu)


def timed(argv, env=None):
    """Runs argv to the end under the peak helper: (wall ms, CPU ms, peak
    RSS kB) of the command alone."""
    out = subprocess.run([str(HELP / "peak")] + [str(a) for a in argv],
                         capture_output=True, text=True, env=env)
    if out.returncode != 0:
        raise RuntimeError(f"{argv[0]} failed")
    wall, cpu, rss = out.stdout.split()
    return float(wall), float(cpu), int(rss)


def median_of(fn, n):
    return statistics.median(fn() for _ in range(n))


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, max(0, math.ceil(p / 100 * len(xs)) - 1))]


# --- routines, crontabs and remind files of one schedule ---------------------

def env_utc(**extra):
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("CALF", "XDG_"))}
    env.update(TZ="UTC", HOME=str(WORK), LC_ALL="C.UTF-8")
    env.update(extra)
    return env


def hms(epoch):
    return dt.datetime.fromtimestamp(epoch, dt.timezone.utc).strftime(
        "%H:%M:%S")


def schedule(n):
    """n daily times (seconds after midnight), spread over the day."""
    return [(i * 7) % 1440 * 60 for i in range(n)]


def write_routine(path, times, names=None, extra=""):
    with open(path, "w") as f:
        for i, t in enumerate(times):
            name = names[i] if names else f"s{i}"
            f.write(f"[{name}]\nat = {t // 3600:02d}:{t // 60 % 60:02d}:"
                    f"{t % 60:02d}\nduration = 5m\n{extra}\n")
    return path


def write_remind(path, times):
    with open(path, "w") as f:
        for i, t in enumerate(times):
            f.write(f"REM AT {t // 3600:02d}:{t // 60 % 60:02d} MSG s{i}\n")
    return path


def write_crond(folder, times):
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "calfbench"
    with open(path, "w") as f:
        for t in times:
            f.write(f"{t // 60 % 60} {t // 3600} * * * root true\n")
    os.chmod(path, 0o644)
    return folder


def default_times():
    """The built-in routine's timed sessions, from --check-config."""
    out = subprocess.run([str(CALFD), "--check-config", "-c",
                          str(ROOT / "config/routine.ini")],
                         capture_output=True, text=True, env=env_utc()).stdout
    times = []
    for line in out.splitlines():
        words = line.split()
        if len(words) > 2 and words[1] == "at":
            for w in words[2:]:
                if ":" not in w:
                    break
                h, m = w.split(":")[:2]
                times.append(int(h) * 3600 + int(m) * 60)
    return times


# --- the programs -------------------------------------------------------------

class Calfd:
    def __init__(self, routine, name, env=None, wrap=()):
        self.dir = WORK / name
        self.dir.mkdir()
        self.sock = self.dir / "s"
        self.log = open(self.dir / "log", "wb")
        self.p = subprocess.Popen(
            list(wrap) + [str(CALFD), "-c", str(routine), "-s",
                          str(self.sock), "--state-dir",
                          str(self.dir / "state")],
            stdin=subprocess.DEVNULL, stdout=self.log, stderr=self.log,
            env=env or env_utc())
        deadline = time.time() + 20
        while True:
            try:
                self.request("version")
                break
            except OSError:
                if self.p.poll() is not None or time.time() > deadline:
                    raise RuntimeError(f"calfd {name} did not start: " +
                                       (self.dir / "log").read_text())
                time.sleep(0.02)

    @property
    def pid(self):
        return self.p.pid

    def request(self, *command, timeout=30):
        with socket.socket(socket.AF_UNIX) as s:
            s.settimeout(timeout)
            s.connect(str(self.sock))
            s.sendall(json.dumps({"command": list(command)}).encode() + b"\n")
            buf = b""
            while not buf.endswith(b"\n"):
                chunk = s.recv(1 << 20)
                if not chunk:
                    break
                buf += chunk
        return json.loads(buf)

    def stop(self):
        if self.p.poll() is None:
            self.p.terminate()
            try:
                self.p.wait(10)
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait()
        self.log.close()


def private_etc(folder):
    """An unshare prefix that runs the program with folder as /etc."""
    return ["unshare", "-m", "sh", "-c",
            'mount --make-rprivate / && mount --bind "$0" /etc && exec "$@"',
            str(folder)]


def start_cron(crond):
    """Debian's cron in a private mount namespace: its own /etc/cron.d, an
    empty /etc/crontab and spool, a private /run for its pid file."""
    empty = WORK / "cron-empty"
    empty.mkdir(exist_ok=True)
    (empty / "crontab").write_text("")
    (empty / "spool").mkdir(exist_ok=True)
    script = ('mount --make-rprivate / && mount --bind "$0" /etc/cron.d && '
              'mount --bind "$1/crontab" /etc/crontab && '
              'mount --bind "$1/spool" /var/spool/cron/crontabs && '
              'mount -t tmpfs none /run && exec cron -f -L 0')
    return subprocess.Popen(["unshare", "-m", "sh", "-c", script, str(crond),
                             str(empty)], stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)


def start_remind(rem):
    return subprocess.Popen(["remind", "-z", str(rem)],
                            stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, env=env_utc())


def stop(p):
    if p.poll() is None:
        p.terminate()
        try:
            p.wait(10)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


# --- the table ----------------------------------------------------------------

def ratio(a, b):
    if b == 0:
        return "-" if a == 0 else "inf"
    return f"{a / b:.2f}x"


def row(part, what, calf, calf_s, base_name, base, base_s):
    ROWS.append((part, what, calf_s, base_name, base_s, ratio(calf, base)))


def us(x):
    return f"{x:.0f} us"


def ms(x):
    return f"{x:.1f} ms"


def kb(x):
    return f"{x} kB"


# --- lateness -------------------------------------------------------------------

def lateness(label, extra):
    n = LATE_SECONDS * LATE_PER_SECOND
    t0 = math.ceil(time.time()) + 5
    times, names = [], []
    for k in range(LATE_SECONDS):
        for j in range(LATE_PER_SECOND):
            times.append((t0 + k) % 86400)
            names.append(f"l{k}x{j}")
    routine = write_routine(WORK / f"late-{label}.ini", times, names,
                            "remind = 0\n")
    d = Calfd(routine, f"late-{label}")
    side = []
    if extra == "idle":
        for _ in range(250):
            s = socket.socket(socket.AF_UNIX)
            s.connect(str(d.sock))
            side.append(s)
    stamped = open(WORK / f"watch-{label}", "wb")
    watch = subprocess.Popen([str(CALFCTL), "-s", str(d.sock), "watch",
                              "--json"], stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL)
    stamp = subprocess.Popen([str(HELP / "stamp")], stdin=watch.stdout,
                             stdout=stamped)
    watch.stdout.close()
    floor = subprocess.Popen([str(HELP / "tfd_floor")], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True)
    floor.stdin.write("".join(f"{(t0 + k) * US}\n"
                              for k in range(LATE_SECONDS)
                              for _ in range(LATE_PER_SECOND)))
    floor.stdin.close()
    flood = None
    if extra == "flood":
        flood = subprocess.Popen([str(HELP / "rps"), str(d.sock), "0"],
                                 stdout=subprocess.DEVNULL)
    if time.time() > t0 - 0.5:
        NOTES.append(f"lateness/{label}: set-up ran into the first deadline")
    time.sleep(max(0, t0 + LATE_SECONDS + 1.5 - time.time()))
    if flood:
        flood.kill()
        flood.wait()
    floor_late = [int(x) for x in floor.stdout.read().split()]
    floor.wait()
    stop(watch)
    stamp.wait()
    stamped.close()
    for s in side:
        s.close()
    fired, recv = [], []
    first_fired, first_recv = {}, {}    # the first prompt of each second
    for line in (WORK / f"watch-{label}").read_text().splitlines():
        t, _, text = line.partition("\t")
        ev = json.loads(text)
        if ev.get("event") == "due":
            due = ev["due_us"]
            fired.append(ev["fired_us"] - due)
            recv.append(int(t) - due)
            first_fired[due] = min(first_fired.get(due, 1 << 62),
                                   ev["fired_us"] - due)
            first_recv[due] = min(first_recv.get(due, 1 << 62), int(t) - due)
    floor_first = floor_late[::LATE_PER_SECOND]
    d.stop()
    if len(fired) != n:
        NOTES.append(f"lateness/{label}: {len(fired)} of {n} prompts seen")
    if not fired:
        return
    what = {"alone": "", "idle": ", 250 idle clients",
            "flood": ", 1 flooding client"}[extra]
    for name, xs in (("fired", fired), ("watcher", recv)):
        for p in ("p50", "p99", "max"):
            a = max(xs) if p == "max" else pct(xs, int(p[1:]))
            b = max(floor_late) if p == "max" else pct(floor_late, int(p[1:]))
            row("lateness", f"{name} {p}{what}", a, us(a), "timerfd", b,
                us(b))
            FACTS[f"late.{extra}.{name}.{p}"] = (a, b)
    # The first of each second's prompts: one wake-up, like the floor's.
    for name, xs in (("fired", list(first_fired.values())),
                     ("watcher", list(first_recv.values()))):
        for p in ("p50", "p99"):
            a, b = pct(xs, int(p[1:])), pct(floor_first, int(p[1:]))
            row("lateness", f"{name} {p}, 1st of each second{what}", a,
                us(a), "timerfd", b, us(b))
            FACTS[f"late.{extra}.{name}.first.{p}"] = (a, b)


# --- idle ----------------------------------------------------------------------

def idle():
    far = (int(time.time()) - 3600) % 86400      # next due in about 23 h
    times = [far - far % 60]
    routine = write_routine(WORK / "idle.ini", times)
    subjects = {"calfd": Calfd(routine, "idle").p}
    churn_etc = None
    if ROOTED:
        churn_etc = WORK / "etc"
        churn_etc.mkdir()
        os.symlink("/usr/share/zoneinfo/UTC", churn_etc / "localtime")
        env = env_utc()
        del env["TZ"]
        subjects["calfd, /etc busy"] = Calfd(routine, "idle-etc", env=env,
                                             wrap=private_etc(churn_etc)).p
        subjects["cron"] = start_cron(write_crond(WORK / "crond-idle", times))
    else:
        NOTES.append("idle: cron and calfd with /etc busy skipped (they need "
                     "root for a private mount namespace)")
    subjects["remind -z"] = start_remind(write_remind(WORK / "idle.rem",
                                                      times))
    time.sleep(1.5)
    before = {k: activity(p.pid) for k, p in subjects.items()}
    t0 = time.time()
    writes = 0
    while time.time() - t0 < IDLE_SECONDS:
        if churn_etc is not None and writes < 100 * IDLE_SECONDS // 60:
            f = churn_etc / f"unrelated-{writes % 5}.conf"
            f.write_text(f"{writes}\n")
            writes += 1
        time.sleep(0.25)
    elapsed = time.time() - t0
    after = {k: activity(p.pid) for k, p in subjects.items()}
    for p in subjects.values():
        stop(p)
    per_min = {k: ((after[k][0] - before[k][0]) * 60 / elapsed,
                   (after[k][1] - before[k][1]) / 1e6 * 60 / elapsed)
               for k in subjects}
    FACTS["idle"] = per_min
    FACTS["idle.writes"] = writes
    for calf in [k for k in per_min if k.startswith("calfd")]:
        for base in ("cron", "remind -z"):
            if base not in per_min:
                continue
            c, b = per_min[calf], per_min[base]
            row("idle", f"{calf}: wake-ups/min", c[0], f"{c[0]:.1f}", base,
                b[0], f"{b[0]:.1f}")
            row("idle", f"{calf}: CPU/min", c[1], ms(c[1]), base, b[1],
                ms(b[1]))
    if churn_etc is not None:
        NOTES.append(f"idle: {writes} writes to other files in calfd's "
                     f"private /etc during the {elapsed:.0f} s")


# --- memory ---------------------------------------------------------------------

def memory_part():
    for label, times in (("default routine", default_times()),
                         ("10,000 sessions", schedule(10000))):
        tag = "default" if label.startswith("default") else "10k"
        routine = (ROOT / "config/routine.ini" if tag == "default" else
                   write_routine(WORK / "mem-10k.ini", times))
        others = {"remind": start_remind(write_remind(WORK / f"m-{tag}.rem",
                                                      times))}
        if ROOTED:
            others["cron"] = start_cron(write_crond(WORK / f"crond-{tag}",
                                                    times))
        d = Calfd(routine, f"mem-{tag}")
        time.sleep(2)
        m = memory(d.pid)
        om = {}
        for k, p in others.items():
            try:
                om[k] = memory(p.pid)
            except OSError:
                NOTES.append(f"memory: {k} exited early")
        FACTS[f"mem.{tag}"] = (m, om)
        now_sod = int(time.time()) % 86400
        ahead = sum(1 for t in times if t > now_sod)
        NOTES.append(f"memory, {label}: {ahead} of the {len(times)} times "
                     "were still ahead today; remind -z queues only those, "
                     "so its memory depends on the hour of the run")
        for key in ("VmRSS", "RssAnon", "Pss"):
            for k in sorted(om):
                row("memory", f"{key}, {label}", m[key], kb(m[key]), k,
                    om[k][key], kb(om[k][key]))
        if tag == "10k":
            after = []
            for _ in range(5):
                r = d.request("reload")
                assert r["code"] == "success", r
                time.sleep(0.2)
                after.append(memory(d.pid))
            m1, m5 = after[0], after[-1]
            FACTS["mem.10k.reloaded"] = (m1, m5)
            for key in ("VmRSS", "RssAnon", "Pss"):
                row("memory", f"{key}, 10,000 after 1 reload", m1[key],
                    kb(m1[key]), "calfd at start", m[key], kb(m[key]))
                row("memory", f"{key}, 10,000 after 5 reloads", m5[key],
                    kb(m5[key]), "after 1 reload", m1[key], kb(m1[key]))
        d.stop()
        for p in others.values():
            stop(p)
    if not ROOTED:
        NOTES.append("memory: cron skipped (needs root for a private "
                     "mount namespace)")


# --- control --------------------------------------------------------------------

def control():
    d = Calfd(ROOT / "config/routine.ini", "control")
    kinds = {
        "calfctl status": [str(CALFCTL), "-s", str(d.sock), "status"],
        "one-shot C client": [str(HELP / "oneshot"), str(d.sock)],
        "/bin/true": ["/bin/true"],
    }
    times = {k: [] for k in kinds}
    env = env_utc()
    for _ in range(REPEAT):             # interleaved, so noise is shared
        for k, argv in kinds.items():
            times[k].append(timed(argv, env)[0])
    med = {k: statistics.median(v) for k, v in times.items()}
    FACTS["control"] = med
    row("control", "calfctl status, end to end", med["calfctl status"],
        ms(med["calfctl status"]), "one-shot C", med["one-shot C client"],
        ms(med["one-shot C client"]))
    row("control", "calfctl status, end to end", med["calfctl status"],
        ms(med["calfctl status"]), "/bin/true", med["/bin/true"],
        ms(med["/bin/true"]))
    echo_sock = WORK / "echo.sock"
    echo = subprocess.Popen([str(HELP / "echo_server"), str(echo_sock)])
    while not echo_sock.exists():
        time.sleep(0.01)
    secs = "1" if QUICK else "2"
    rates = {"calfd": [], "echo": []}
    for _ in range(3):
        for k, sock in (("calfd", d.sock), ("echo", echo_sock)):
            out = subprocess.run([str(HELP / "rps"), str(sock), secs],
                                 capture_output=True, text=True).stdout
            n, s = out.split()
            rates[k].append(int(n) / float(s))
    stop(echo)
    d.stop()
    c, e = statistics.median(rates["calfd"]), statistics.median(rates["echo"])
    FACTS["rps"] = (c, e)
    row("control", "status requests/s, one connection", c, f"{c:,.0f}/s",
        "raw echo", e, f"{e:,.0f}/s")


# --- scale ----------------------------------------------------------------------

def scale():
    runs = 3 if QUICK else 5
    for n in (10, 1000, 10000):
        times = schedule(n)
        ini = write_routine(WORK / f"scale-{n}.ini", times)
        rem = write_remind(WORK / f"scale-{n}.rem", times)
        env = env_utc()
        res = {}
        cmds = (("check", [CALFD, "--check-config", "-c", ini]),
                ("agenda", [CALFD, "--agenda", "10000", "--from",
                            "@1796169600", "-c", ini]),
                ("remind", ["remind", "-n", rem, "1", "dec", "2026"]))
        samples = {k: [] for k, _ in cmds}
        for _ in range(runs):           # interleaved, so noise is shared
            for k, argv in cmds:
                samples[k].append(timed(argv, env))
        for k, xs in samples.items():
            res[k] = (statistics.median(x[0] for x in xs),
                      statistics.median(x[1] for x in xs),
                      max(x[2] for x in xs))
        d = Calfd(ini, f"scale-{n}")
        rl = []
        for _ in range(runs):
            t = time.perf_counter()
            r = d.request("reload")
            rl.append((time.perf_counter() - t) * 1000)
            assert r["code"] == "success", r
        d.stop()
        reload_ms = statistics.median(rl)
        FACTS[f"scale.{n}"] = (res, reload_ms)
        label = f"{n:,} sessions"
        rm = res["remind"]
        for k, what in (("check", "--check-config"),
                        ("agenda", "--agenda 10000")):
            row("scale", f"{what}, {label}: CPU", res[k][1], ms(res[k][1]),
                "remind -n", rm[1], ms(rm[1]))
            row("scale", f"{what}, {label}: wall", res[k][0], ms(res[k][0]),
                "remind -n", rm[0], ms(rm[0]))
            row("scale", f"{what}, {label}: peak RSS", res[k][2],
                kb(res[k][2]), "remind -n", rm[2], kb(rm[2]))
        row("scale", f"reload, {label} (request to reply)", reload_ms,
            ms(reload_ms), "remind -n wall", rm[0], ms(rm[0]))


def bench_sched():
    p = subprocess.run([str(HELP / "bench_sched"), "Europe/Berlin"],
                       capture_output=True, text=True, timeout=600)
    return p.stdout.strip()


# --- the aims and the report -------------------------------------------------

def aims():
    out = []

    def aim(text, ok, figure):
        out.append((text, "met" if ok else "NOT met", figure))

    for k, what in (("", "all 200"), (".first", "1st of each second")):
        for p in ("p50", "p99"):
            key = f"late.alone.watcher{k}.{p}"
            if key in FACTS:
                a, b = FACTS[key]
                aim(f"watcher gets a prompt within 2x the timerfd floor "
                    f"({p}, {what})", a <= 2 * b,
                    f"{a / max(b, 1):.1f}x ({a} vs {b} us)")
    if "idle" in FACTS:
        for k, (w, _) in FACTS["idle"].items():
            if k.startswith("calfd"):
                aim(f"0 wake-ups per idle minute ({k})", w == 0,
                    f"{w:.1f}/min")
    if "mem.default" in FACTS and "cron" in FACTS["mem.default"][1]:
        m, om = FACTS["mem.default"]
        aim("RssAnon, default routine, no larger than cron's",
            m["RssAnon"] <= om["cron"]["RssAnon"],
            f"{m['RssAnon']} vs {om['cron']['RssAnon']} kB")
    if "mem.10k" in FACTS and "remind" in FACTS["mem.10k"][1]:
        m, om = FACTS["mem.10k"]
        aim("RssAnon, 10,000 sessions, no larger than remind's",
            m["RssAnon"] <= om["remind"]["RssAnon"],
            f"{m['RssAnon']} vs {om['remind']['RssAnon']} kB")
    if "mem.10k.reloaded" in FACTS:
        m0 = FACTS["mem.10k"][0]
        m1, m5 = FACTS["mem.10k.reloaded"]
        grow = m5["RssAnon"] - m0["RssAnon"]
        aim("RssAnon after 5 reloads within 10% of the start",
            grow <= m0["RssAnon"] * 0.1, f"{grow:+d} kB")
        grow = m5["RssAnon"] - m1["RssAnon"]
        aim("no growth from the 1st to the 5th reload (within 2%)",
            grow <= m1["RssAnon"] * 0.02, f"{grow:+d} kB")
    if "scale.10000" in FACTS:
        res, rl = FACTS["scale.10000"]
        aim("reload of 10,000 sessions under 100 ms", rl < 100, ms(rl))
        for k, what in (("check", "--check-config"),
                        ("agenda", "--agenda 10000")):
            aim(f"{what} no slower than remind -n (10,000; CPU time)",
                res[k][1] <= res["remind"][1],
                f"{res[k][1]:.1f} vs {res['remind'][1]:.1f} ms")
    if "rps" in FACTS:
        c, e = FACTS["rps"]
        aim("one connection at least half as fast as a raw echo",
            c >= e / 2, f"{c / e:.2f}x")
    return out


def table(rows, header):
    widths = [max(len(str(r[i])) for r in rows + [header])
              for i in range(len(header))]
    line = lambda r: "| " + " | ".join(str(c).ljust(w) for c, w in
                                        zip(r, widths)) + " |"
    return "\n".join([line(header),
                      "|" + "|".join("-" * (w + 2) for w in widths) + "|"] +
                     [line(r) for r in rows])


def machine():
    cpu = "unknown CPU"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    for line in open("/proc/meminfo"):
        if line.startswith("MemTotal"):
            mem = f"{int(line.split()[1]) // 1024} MiB RAM"
    distro = ""
    try:
        for line in open("/etc/os-release"):
            if line.startswith("PRETTY_NAME="):
                distro = line.split("=", 1)[1].strip().strip('"')
    except OSError:
        pass
    return (f"{os.cpu_count()} x {cpu}, {mem}, {distro}, Linux "
            f"{platform.release()}, load average "
            f"{' '.join(f'{x:.2f}' for x in os.getloadavg())} at the end")


def report(started, sched_out, elapsed):
    header = ("part", "measure", "calf", "baseline", "baseline value",
              "calf / baseline")
    body = [
        f"Run {started:%Y-%m-%d %H:%M} UTC, {elapsed / 60:.1f} minutes"
        f"{' (BENCH_QUICK: short runs)' if QUICK else ''}"
        f"{'' if ROOTED else ', not root (cron parts skipped)'}.",
        f"Machine: {machine()}.", "",
        table(ROWS, header), "",
        "Aims (issue 13), as measured above:", "",
        table(aims(), ("aim", "", "figure")), ""]
    if NOTES:
        body += ["Notes from this run:", ""] + [f"- {n}" for n in NOTES] + [""]
    body += ["Scheduler micro-benchmark (`bench_sched Europe/Berlin`):", "",
             "```", sched_out, "```"]
    return "\n".join(body)


BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"

SKELETON = f"""# Benchmarks

`make bench` measures calfd beside baselines run at the same time on the
same machine, and rewrites the part of this file between the marks below.

{BEGIN}
{END}
"""


def write_markdown(text):
    path = ROOT / "BENCHMARKS.md"
    old = path.read_text() if path.exists() else SKELETON
    if BEGIN not in old or END not in old:
        old = SKELETON + "\n" + old
    head, rest = old.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    path.write_text(f"{head}{BEGIN}\n{text}\n{END}{tail}")
    return path


def main():
    for b in (CALFD, CALFCTL, HELP / "tfd_floor", HELP / "stamp",
              HELP / "oneshot", HELP / "rps", HELP / "echo_server",
              HELP / "peak",
              HELP / "bench_sched"):
        if not os.access(b, os.X_OK):
            sys.exit(f"bench: {b} is not built; run make bench")
    for tool in ("remind",) + (("cron",) if ROOTED else ()):
        if shutil.which(tool) is None:
            sys.exit(f"bench: {tool} is not installed (scripts/deps.sh)")
    started = dt.datetime.now(dt.timezone.utc)
    t0 = time.time()
    parts = [("scale", scale), ("control", control), ("memory", memory_part),
             ("lateness, alone", lambda: lateness("alone", "alone")),
             ("lateness, 250 idle clients", lambda: lateness("idle", "idle")),
             ("lateness, flooding client", lambda: lateness("flood",
                                                             "flood")),
             ("idle", idle)]
    try:
        for name, fn in parts:
            print(f"bench: {name} ...", file=sys.stderr, flush=True)
            fn()
        print("bench: scheduler micro-benchmark ...", file=sys.stderr)
        sched_out = bench_sched()
    finally:
        shutil.rmtree(WORK, ignore_errors=True)
    text = report(started, sched_out, time.time() - t0)
    print(text)
    print(f"bench: wrote {write_markdown(text)}", file=sys.stderr)


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda *a: sys.exit(1))
    main()
