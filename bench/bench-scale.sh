#!/bin/sh
# bench-scale.sh: how `fraudtree run` (depth 10, oversample) grows with the
# data: the same pipeline on BENCH_ROWS/10 and BENCH_ROWS generated rows,
# each stage's seconds side by side with their ratio (10x the rows should
# cost at most about 11x in every stage), and the peak memory in bytes per
# row at both sizes. Each size runs BENCH_REPEAT times; a stage's figure is
# its best of those runs (the machine's other work only ever adds time).
# The cpu line is the least processor time (user + system, all threads) of
# a whole run at each size: on a busy machine the wall times wait for the
# processors, the cpu time does not.
# No peer: this measures fraudtree against itself.
set -u
. "$BENCH_DIR/common.sh"
small=$((BENCH_ROWS / 10))
[ "$small" -ge 1000 ] || { echo "  skipped: BENCH_ROWS too small"; exit 0; }
"$FT_BIN" gen --rows "$small" --seed 1 >"$BENCH_TMP/scale-small.csv" || exit 1

# The processor time of each run (user + system, every thread), which the
# machine's other work does not add to, when GNU time is there.
cpu_time=
if [ -x /usr/bin/time ] && /usr/bin/time -f '%U' -o /dev/null true 2>/dev/null; then
	cpu_time="/usr/bin/time -f cpu_seconds=%U+%S -a -o $BENCH_TMP/scale-cpu"
fi
for size in small big; do
	: >"$BENCH_TMP/scale-cpu"
	if [ $size = small ]; then data=$BENCH_TMP/scale-small.csv rows=$small
	else data=$BENCH_DATA rows=$BENCH_ROWS; fi
	: >"$BENCH_TMP/scale-$size.log"
	best= peak=-
	run=0
	while [ "$run" -lt "$BENCH_REPEAT" ]; do
		run=$((run + 1))
		if ! measure one -n 1 -a "0 1" -l "$BENCH_TMP/scale-$size.run" -- $cpu_time "$FT_BIN" run \
			--no-register --registry "$BENCH_TMP/scale-registry" --set tree.max_depth=10 \
			--set resample.method=oversample "$data"; then
			echo "  $size: failed ($(tail -n 1 "$BENCH_TMP/scale-$size.run" 2>/dev/null))"
			exit 0
		fi
		cat "$BENCH_TMP/scale-$size.run" >>"$BENCH_TMP/scale-$size.log"
		best=$(awk -v a="$best" -v b="$one_s" 'BEGIN { print (a == "" || b + 0 < a + 0) ? b : a }')
		case $one_kb in
		''|*[!0-9]*) ;;
		*) peak=$(awk -v a="$peak" -v b="$one_kb" 'BEGIN { print (a == "-" || b + 0 > a + 0) ? b : a }') ;;
		esac
	done
	cpu=$(awk -F= '$1 == "cpu_seconds" { split($2, t, "+"); c = t[1] + t[2]
		if (m == "" || c < m) m = c } END { if (m == "") print "-"; else printf "%.3f", m }' \
		"$BENCH_TMP/scale-cpu")
	eval "${size}_rows=$rows ${size}_s=$best ${size}_kb=$peak ${size}_cpu=$cpu"
done
# best_stage STAGE LOG: the stage's least seconds in the "stages" blocks
# of the runs' reports.
best_stage() {
	awk -v s="$1" '/^stages/ { on = 1; next } /^$/ { on = 0 }
		on && $1 == s && (m == "" || $2 + 0 < m + 0) { m = $2 } END { print m }' "$2"
}
printf '  %-10s %12s %12s %8s\n' stage "$small_rows rows" "$big_rows rows" ratio
for stage in load prepare tune train evaluate; do
	a=$(best_stage "$stage" "$BENCH_TMP/scale-small.log")
	b=$(best_stage "$stage" "$BENCH_TMP/scale-big.log")
	printf '  %-10s %12s %12s %8s\n' "$stage" "${a:--}" "${b:--}" "$(ratio "${b:--}" "${a:--}")"
done
printf '  %-10s %12s %12s %8s\n' "total" "$small_s" "$big_s" "$(ratio "$big_s" "$small_s")"
printf '  %-10s %12s %12s %8s\n' "cpu" "$small_cpu" "$big_cpu" "$(ratio "$big_cpu" "$small_cpu")"
for size in small big; do
	eval "kb=\$${size}_kb rows=\$${size}_rows"
	case $kb in
	-) echo "  peak memory at $rows rows: not measured" ;;
	*) echo "  peak memory at $rows rows: $(mb "$kb") MiB, $(awk -v k="$kb" -v n="$rows" \
		'BEGIN { printf "%.0f", k * 1024 / n }') bytes per row" ;;
	esac
done
