"""Private D-Bus buses and python3-dbusmock servers for the notification
tests: each test gets its own `dbus-daemon --session` (also used as the
"system" bus for logind), so nothing reaches the machine's real buses.

- `PrivateBus(tmp)`: a dbus-daemon; `.address`, `.conn` (dbus-python).
- `NotifyMock(bus, caps)`: the notification_daemon template; `.notifies()`,
  `.closes()`, `.wait_notify(pred)`, `.action(id, key)`, `.closed(id, r)`,
  `.kill()`, `.start()`.
- `LogindMock(bus)`: the logind template with one session of this uid;
  `.lock(bool)`.
"""
import json
import os
import pathlib
import shutil
import subprocess
import sys
import time

import pytest

try:
    import dbus
except ImportError:             # the tests say why they are skipped
    dbus = None

MOCK_IFACE = "org.freedesktop.DBus.Mock"
N_NAME = "org.freedesktop.Notifications"
N_PATH = "/org/freedesktop/Notifications"
PYTHON = "/usr/bin/python3"


def need_dbus():
    if dbus is None or shutil.which("dbus-daemon") is None:
        pytest.skip("needs dbus-daemon and python3-dbus (scripts/deps.sh)")
    r = subprocess.run([PYTHON, "-c", "import dbusmock"],
                       capture_output=True)
    if r.returncode != 0:
        pytest.skip("needs python3-dbusmock (scripts/deps.sh)")


def wait_for(pred, timeout=10.0, what="condition"):
    deadline = time.time() + timeout
    while True:
        v = pred()
        if v:
            return v
        if time.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


class PrivateBus:
    def __init__(self, tmp):
        need_dbus()
        self.proc = subprocess.Popen(
            ["dbus-daemon", "--session", "--nofork", "--print-address=1"],
            stdout=subprocess.PIPE, stdin=subprocess.DEVNULL,
            cwd=str(tmp))
        self.address = self.proc.stdout.readline().decode().strip()
        assert self.address, "dbus-daemon printed no address"
        self.conn = dbus.bus.BusConnection(self.address)

    def has(self, name):
        return self.conn.name_has_owner(name)

    def stop(self):
        try:
            self.conn.close()
        except Exception:
            pass
        self.proc.terminate()
        self.proc.wait(timeout=10)


class Mock:
    """A dbusmock server on a private bus (as session or system bus)."""

    def __init__(self, bus, name, args, system=False):
        self.bus = bus
        self.name = name
        self.args = args
        self.system = system
        self.proc = None

    def start(self):
        env = dict(os.environ)
        key = ("DBUS_SYSTEM_BUS_ADDRESS" if self.system
               else "DBUS_SESSION_BUS_ADDRESS")
        env[key] = self.bus.address
        self.proc = subprocess.Popen(
            [PYTHON, "-m", "dbusmock"] + self.args, env=env,
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL)
        wait_for(lambda: self.bus.has(self.name), 20, f"{self.name} mock")
        return self

    def obj(self, path):
        return self.bus.conn.get_object(self.name, path)

    def kill(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        wait_for(lambda: not self.bus.has(self.name), 10, "mock gone")


class NotifyMock(Mock):
    def __init__(self, bus, caps="actions body"):
        params = json.dumps({"capabilities": caps})
        super().__init__(bus, N_NAME, ["--template", "notification_daemon",
                                       "-p", params])

    @property
    def mock(self):
        return dbus.Interface(self.obj(N_PATH), MOCK_IFACE)

    def notifies(self):
        """Every Notify call as a dict of its arguments."""
        out = []
        for _, a in self.mock.GetMethodCalls("Notify"):
            actions = [str(x) for x in a[5]]
            out.append({
                "app": str(a[0]), "replaces": int(a[1]),
                "summary": str(a[3]), "body": str(a[4]),
                "actions": actions, "keys": actions[0::2],
                "hints": {str(k): v for k, v in a[6].items()},
                "expire": int(a[7]),
            })
        return out

    def closes(self):
        return [int(a[0]) for _, a in
                self.mock.GetMethodCalls("CloseNotification")]

    def wait_notify(self, pred=lambda n: True, after=0, timeout=10.0,
                    what="a Notify call"):
        """The first Notify call from index `after` on that matches; its
        index and the id the mock gave it."""
        def find():
            calls = self.notifies()
            for i in range(after, len(calls)):
                if pred(calls[i]):
                    return (i, calls[i])
            return None
        i, call = wait_for(find, timeout, what)
        # The mock returns replaces_id when given, else ids 1, 2, ...
        return i, call

    def id_of(self, index):
        """The id the mock returned for the index-th Notify call."""
        calls = self.notifies()
        nid = 0
        for c in calls[:index + 1]:
            if not c["replaces"]:
                nid += 1
        c = calls[index]
        return c["replaces"] or nid

    def action(self, nid, key):
        self.mock.EmitSignal(N_NAME, "ActionInvoked", "us",
                             [dbus.UInt32(nid), key])

    def closed(self, nid, reason):
        self.mock.EmitSignal(N_NAME, "NotificationClosed", "uu",
                             [dbus.UInt32(nid), dbus.UInt32(reason)])


class LogindMock(Mock):
    def __init__(self, bus):
        super().__init__(bus, "org.freedesktop.login1",
                         ["--template", "logind"], system=True)

    def start(self):
        super().start()
        m = dbus.Interface(self.obj("/org/freedesktop/login1"), MOCK_IFACE)
        # This version's GetUser adds a number to a string; logind's
        # answer is the user's object path.
        m.AddMethod("org.freedesktop.login1.Manager", "GetUser", "u", "o",
                    'ret = "/org/freedesktop/login1/user/%d" % args[0]')
        self.session = m.AddSession("c1", "seat0", dbus.UInt32(os.getuid()),
                                    "calfuser", True)
        return self

    def lock(self, locked):
        s = self.obj(self.session)
        s.SetLockedHint(locked, dbus_interface="org.freedesktop.login1.Session")
