#!/bin/sh
# deps.sh: install calf's missing build and test dependencies with apt-get
# when we can (root, or sudo without a password); otherwise print the exact
# command to run. Quiet when everything is already there.
set -e
pkgs="gcc libc6-dev make pkg-config libevent-dev libinih-dev libsystemd-dev libjson-c-dev
libcmocka-dev python3 python3-pytest python3-pytest-xdist tzdata socat systemd dbus util-linux
groff-base man-db bash-completion fish zsh
clang libclang-rt-14-dev cppcheck clang-tidy valgrind strace e2fsprogs libfaketime
dbus-daemon python3-dbus python3-dbusmock xvfb notification-daemon xdotool imagemagick
tesseract-ocr tesseract-ocr-eng"
# make deb and check-deb: the Debian package, lintian, and the desktop
# entry's validator.
pkgs="$pkgs dpkg-dev debhelper lintian desktop-file-utils"
# make bench puts calfd beside these two.
pkgs="$pkgs remind cron"
missing=""
for p in $pkgs; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed'; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0
echo "calf: missing build dependencies:$missing"
if [ "$(id -u)" = 0 ]; then
	sudo=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
	sudo="sudo -n"
else
	echo "calf: run this, then try again:"
	echo "  sudo apt-get update && sudo apt-get install -y$missing"
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q </dev/null
$sudo apt-get install -y -q --no-install-recommends $missing </dev/null
