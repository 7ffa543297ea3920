#!/bin/sh
# timeit.sh: wall time and peak memory of a command, best of N runs.
#
#   sh timeit.sh [-n N] [-a "0 1"] [-l LOG] -- COMMAND [ARG]...
#
# Prints "SECONDS PEAK_KB" on standard output: the shortest wall time of N
# runs (default $BENCH_REPEAT, else 3) and the largest peak resident set of
# any run in KiB ("-" when it cannot be measured). The command's own output
# goes to LOG (default /dev/null). -a lists the exit statuses that count as
# success (default 0). Exits 1, printing nothing, if any run fails.
#
# Peak memory comes from GNU time (/usr/bin/time -f %M); without it, from
# the kernel's high-water mark of the child (VmHWM, read from /proc while it
# runs, so short runs may be missed; BENCH_NO_GNU_TIME=1 forces this). Wall time uses date +%s%N around the
# command.
set -u
n=${BENCH_REPEAT:-3}
accept=0
log=/dev/null
while [ $# -gt 0 ]; do
	case $1 in
	-n) n=$2; shift 2 ;;
	-a) accept=$2; shift 2 ;;
	-l) log=$2; shift 2 ;;
	--) shift; break ;;
	*) break ;;
	esac
done
[ $# -gt 0 ] || { echo "usage: timeit.sh [-n N] [-a CODES] [-l LOG] -- COMMAND..." >&2; exit 2; }

tmp=$(mktemp) || exit 1
trap 'rm -f "$tmp"' EXIT

gnu_time=
if [ -z "${BENCH_NO_GNU_TIME:-}" ] && [ -x /usr/bin/time ] && /usr/bin/time -f %M -o "$tmp" true 2>/dev/null; then
	gnu_time=/usr/bin/time
fi

now_ns() { date +%s%N; }

accepted() {
	for c in $accept; do [ "$1" -eq "$c" ] && return 0; done
	return 1
}

best= peak=-
i=0
while [ "$i" -lt "$n" ]; do
	i=$((i + 1))
	: >"$tmp"
	start=$(now_ns)
	if [ -n "$gnu_time" ]; then
		"$gnu_time" -f %M -o "$tmp" "$@" >"$log" 2>&1
		rc=$?
		kb=$(tail -n 1 "$tmp")
	else
		"$@" >"$log" 2>&1 &
		pid=$!
		kb=-
		while kill -0 "$pid" 2>/dev/null; do
			hwm=$(awk '/^VmHWM:/ { print $2 }' "/proc/$pid/status" 2>/dev/null)
			[ -n "$hwm" ] && kb=$hwm
			sleep 0.05
		done
		wait "$pid"
		rc=$?
	fi
	end=$(now_ns)
	accepted "$rc" || exit 1
	secs=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')
	best=$(awk -v a="$best" -v b="$secs" 'BEGIN { print (a == "" || b + 0 < a + 0) ? b : a }')
	case $kb in
	''|*[!0-9]*) ;;
	*) peak=$(awk -v a="$peak" -v b="$kb" 'BEGIN { print (a == "-" || b + 0 > a + 0) ? b : a }') ;;
	esac
done
echo "$best $peak"
