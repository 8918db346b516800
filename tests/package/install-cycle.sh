#!/bin/sh
# install-cycle.sh DEB: what the reviewer does on a fresh Debian 12
# machine, for real on this one: apt installs the package, the installed
# files are used (calfd --check-config, man calfctl, man 5 routine.ini,
# systemd-analyze verify --user), the package is purged, and the machine's
# files are compared before and after. Root only, and not part of `make
# check`: it installs and removes a package system-wide, so it refuses to
# run where calf is already installed (`make check-install`).
set -eu
deb=$(realpath "$1")
[ "$(id -u)" = 0 ] || { echo "install-cycle: run as root" >&2; exit 2; }
if dpkg-query -W -f='${Status}' calf 2>/dev/null | grep -q installed; then
	echo "install-cycle: calf is installed here already; not touching it" >&2
	exit 2
fi
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
# Everything on the root file system but what changes on its own or is
# apt's and dpkg's bookkeeping.
snapshot() {
	find / -xdev \( -path /proc -o -path /sys -o -path /dev -o -path /tmp \
	    -o -path /var/tmp -o -path /var/log -o -path /var/cache \
	    -o -path /var/lib/dpkg -o -path /var/lib/apt -o -path /root \
	    -o -path /home -o -path /work -o -path /run \) -prune \
	    -o -print 2>/dev/null | sort
}
fail() { echo "install-cycle: FAIL: $*" >&2; exit 1; }

snapshot > "$work/before"
DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$deb" </dev/null >"$work/apt.log" 2>&1 \
    || { cat "$work/apt.log"; fail "apt-get install"; }
echo "== installed"

calfd --check-config || fail "calfd --check-config on the built-in routine"
calfd --check-config -c /usr/share/doc/calf/examples/routine.ini || fail "the example routine"
for page in calfctl "5 routine.ini" calfd; do
	# shellcheck disable=SC2086
	out=$(MANWIDTH=80 MANPAGER=cat man --warnings $page 2>&1 >/dev/null) || fail "man $page"
	[ -z "$out" ] || fail "man $page warns: $out"
	# shellcheck disable=SC2086
	[ "$(MANWIDTH=80 MANPAGER=cat man $page | wc -l)" -gt 50 ] || fail "man $page is short"
done
echo "== man calfctl, man 5 routine.ini, man calfd"
mkdir -m 700 "$work/xdg"
for u in calfd.service calfd.socket; do
	out=$(XDG_RUNTIME_DIR="$work/xdg" systemd-analyze verify --user "/usr/lib/systemd/user/$u" 2>&1) \
	    || fail "verify --user $u: $out"
	[ -z "$out" ] || fail "verify --user $u printed: $out"
	out=$(systemd-analyze verify "/usr/lib/systemd/system/$u" 2>&1) || fail "verify $u: $out"
	[ -z "$out" ] || fail "verify $u printed: $out"
done
echo "== systemd-analyze verify: silent for the four units"
[ -d /etc/calf ] || fail "/etc/calf is missing"
printf '[calfd]\n' > /etc/calf/routine.ini.admin-test
# What the system service leaves when it has run (this machine may have no
# systemd to run it): its state under DynamicUser=, and its socket.
[ ! -e /var/lib/calf ] && [ ! -e /var/lib/private/calf ] && [ ! -e /run/calf ] \
    || fail "/var/lib/calf, /var/lib/private/calf or /run/calf is here already"
[ -d /var/lib/private ] && made_private= || made_private=yes
mkdir -p -m 0700 /var/lib/private && mkdir -p /var/lib/private/calf/history /run/calf
echo '{}' > /var/lib/private/calf/state.json
echo '{}' > /var/lib/private/calf/history/0123456789abcdef.jsonl
ln -s private/calf /var/lib/calf
python3 -c 'import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' /run/calf/calfd.sock

# apt remove: what stays is the administrator's file and debhelper's
# record of which units the package has (deb-systemd-helper's .dsh-also
# files, kept so a purge can clean up after a unit enabled meanwhile).
DEBIAN_FRONTEND=noninteractive apt-get remove -y -q calf </dev/null >"$work/apt.log" 2>&1 \
    || { cat "$work/apt.log"; fail "apt-get remove"; }
echo "== removed"
[ ! -e /run/calf ] || fail "/run/calf is still there after remove"
[ -L /var/lib/calf ] && [ -f /var/lib/private/calf/history/0123456789abcdef.jsonl ] \
    || fail "remove deleted the system service's history (only purge may)"
snapshot | grep -v '^/var/lib/calf$\|^/var/lib/private/calf' > "$work/removed"
left=$(diff "$work/before" "$work/removed" | grep '^[<>]' \
    | grep -v '^> /var/lib/systemd/deb-systemd-\(user-\)\?helper-enabled/calfd\.\(service\|socket\)\.dsh-also$' || true)
expect="> /etc/calf
> /etc/calf/routine.ini.admin-test"
[ "$left" = "$expect" ] || fail "removing left this behind (>) or took this away (<):
$left"
echo "== nothing left but the administrator's file in /etc/calf and debhelper's unit records"

DEBIAN_FRONTEND=noninteractive apt-get purge -y -q calf </dev/null >"$work/apt.log" 2>&1 \
    || { cat "$work/apt.log"; fail "apt-get purge"; }
echo "== purged"
[ ! -e /var/lib/calf ] && [ ! -e /var/lib/private/calf ] \
    || fail "purge left the system service's state in /var/lib"
# systemd makes /var/lib/private once and keeps it; so does this test
[ -n "$made_private" ] && rmdir /var/lib/private
snapshot > "$work/after"
left=$(diff "$work/before" "$work/after" | grep '^[<>]' || true)
rm -f /etc/calf/routine.ini.admin-test; rmdir /etc/calf
[ "$left" = "$expect" ] || fail "purging left this behind (>) or took this away (<):
$left"
echo "== nothing left but the administrator's file in /etc/calf"
echo "install-cycle: OK"
