#!/bin/sh
# run.sh: `make lint`. cppcheck and clang-tidy over the C sources with the
# settings checked in (tests/lint/cppcheck-suppressions.txt, .clang-tidy);
# a clang-tidy finding listed in tests/lint/tidy-known.txt is reported but
# does not fail. Exits 0 when clean, 1 otherwise.
set -u
cd "$(dirname "$0")/../.." || exit 1
srcs=$(ls common/*.c daemon/*.c ctl/*.c tests/fuzz/*.c)
# Suppressions (one id:file a line, no comments allowed there):
# knownConditionTrueFalse in daemon/run.c: `best` starts as dur_max, so
# "dur_min < best" repeats "dur_min < dur_max" on the first pass only;
# missingIncludeSystem: system headers are not analysed.
LINT_FLAGS="-std=c11 -D_GNU_SOURCE -I. $(pkg-config --cflags libevent inih libsystemd json-c 2>/dev/null)"
LINT_VERSION='-DCALF_VERSION="lint"'
export LINT_FLAGS LINT_VERSION
rc=0

echo "== cppcheck"
queue=$(ls /usr/include/*/sys/queue.h /usr/include/sys/queue.h 2>/dev/null | head -1)
# shellcheck disable=SC2086
cppcheck -q --std=c11 --enable=warning,performance,portability \
    --inline-suppr --error-exitcode=1 -I. -D_GNU_SOURCE \
    ${queue:+--include=$queue} \
    --suppressions-list=tests/lint/cppcheck-suppressions.txt $srcs || rc=1

echo "== clang-tidy"
out=$(mktemp)
# shellcheck disable=SC2086
printf '%s\n' $srcs | xargs -P "$(nproc)" -n 4 sh -c \
    'clang-tidy --quiet "$@" -- $LINT_FLAGS "$LINT_VERSION" 2>/dev/null' sh \
    > "$out"
grep -E '^[^ ]+:[0-9]+:[0-9]+: (warning|error):' "$out" |
    sed -E "s|^$(pwd)/||" | sort -u > "$out.found"
while IFS= read -r f; do
	file=${f%%:*}
	check=$(printf '%s\n' "$f" | sed -nE 's/.*\[([^],]+).*\]$/\1/p')
	if grep -qxF "$file:$check" tests/lint/tidy-known.txt; then
		echo "known: $f"
	else
		echo "$f"
		rc=1
	fi
done < "$out.found"
rm -f "$out" "$out.found"
[ "$rc" = 0 ] && echo "lint: clean"
exit "$rc"
