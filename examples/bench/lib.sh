# shellcheck shell=bash
# shellcheck disable=SC2154 # $work is the sourcing script's
# Shared by the benchmark scripts (sourced, after they set $work, a scratch
# directory): whole processes timed with GNU time, medians and ratios.

# run NAME CMD...: runs CMD once, appending "wall cpu rss_kib" to $work/NAME.
run() {
	local name=$1
	shift
	/usr/bin/time -f "%e %U %S %M" -o "$work/time" "$@" > /dev/null 2>&1 || true
	tail -n 1 "$work/time" | awk '{ printf "%.2f %.2f %d\n", $1, $2 + $3, $4 }' >> "$work/$name"
}

# run_in NAME DIR CMD...: run, in directory DIR.
run_in() {
	local name=$1 dir=$2
	shift 2
	(cd "$dir" && /usr/bin/time -f "%e %U %S %M" -o "$work/time" "$@" > /dev/null 2>&1) || true
	tail -n 1 "$work/time" | awk '{ printf "%.2f %.2f %d\n", $1, $2 + $3, $4 }' >> "$work/$name"
}

# div A B: A / B, two decimals.
div() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

# median COLUMN FILE: the median of a column of run's lines.
median() {
	awk -v c="$1" '{ print $c }' "$2" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'
}

# needs_time: refuse to run without GNU time.
needs_time() {
	if [ ! -x /usr/bin/time ]; then
		echo "$(basename "$0") needs GNU time: apt-get install time" >&2
		exit 1
	fi
}
