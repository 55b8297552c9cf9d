#!/usr/bin/env bash
# Access reviews at scale (docs/access-reviews.md), measured as whole processes:
# `portalctl review --all` of MEMBERS / BLUEPRINTS (default 100,000 / 2,000), every
# blueprint owned and reviewed on one of DATES distinct days (default 5), in a
# repository of COMMITS commits (default 500, one a day) where members join and
# leave, against `portalctl validate` of the same file. RUNS rounds (default 7), the
# two alternated. Medians of wall time, CPU time (user + system) and peak RSS, and
# the ratio review / validate (target: within 5×). Then review --all with 1, 5 and
# 10 distinct review days, to say how it grows with the number of days.
# Run with `make bench`, or directly after building bin/portalctl and
# bin/portal-gen. Needs GNU time (/usr/bin/time) and git.
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=$PWD/bin
runs=${RUNS:-7}
commits=${COMMITS:-500}
dates=${DATES:-5}
gen=(--members "${MEMBERS:-100000}" --blueprints "${BLUEPRINTS:-2000}")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# shellcheck source=examples/bench/lib.sh
. examples/bench/lib.sh
if [ -n "${KEEP:-}" ]; then trap - EXIT; echo "work directory kept: $work"; fi
needs_time

day() { date -u -d "2025-01-01 + $1 days" +%F; }

"$bin/portal-gen" "${gen[@]}" > "$work/base.yaml"
repo=$work/repo
git init -q -b main "$repo"

# The history: commit i (one a day from 2025-01-02) is the base file, with a
# review policy and an owner on every blueprint, less the members who have left
# by then (two a day) and with those who have joined (three a day, in the
# largest domain: each joiner gains many blueprints). One git fast-import stream.
start=$(date -u -d 2025-01-01 +%s)
awk -v commits="$commits" -v start="$start" -v owners="    owners: [%s]\n" '
	{ line[NR] = $0; kind[NR] = 0 }
	/^members:/ { inm = 1; policy = NR }
	/^(groups|blueprints):/ { inm = 0 }
	/^groups:/ { groups = NR }
	/^    / { kind[NR] = 2 }
	/^  blueprint-[0-9]+:$/ { kind[NR] = 3 }
	inm && /^  - email: / { nm++; kind[NR] = 1; idx[NR] = nm; if (nm == 1) owner = $3; if (nm == 2) { split($3, p, "@"); domain = p[2] } }
	END {
		for (i = 1; i <= commits; i++) {
			printf "commit refs/heads/main\ncommitter Bench <bench@example.com> %d +0000\ndata <<EOM\nday %d: members join and leave\nEOM\n", start + i * 86400 + 3600, i
			printf "M 100644 inline portal.yaml\ndata <<EOF\n"
			gone = 0
			for (n = 1; n <= NR; n++) {
				k = kind[n]
				if (k == 1) { m = idx[n]; gone = (m > 100 && m % 37 == 0 && int(m / 37) <= 2 * i) }
				else if (k != 2) gone = 0
				if (gone) continue
				if (n == policy) print "policy:\n  review_every_days: 90"
				if (n == groups) for (j = 1; j <= 3 * i; j++) printf "  - email: joiner%d@%s\n", j, domain
				print line[n]
				if (k == 3) printf owners, owner
			}
			printf "EOF\n\n"
		}
	}' "$work/base.yaml" | git -C "$repo" fast-import --quiet
git -C "$repo" reset -q --hard main
cp "$repo/portal.yaml" "$work/head.yaml"

# The working tree with every blueprint reviewed on one of n days, spread over
# the history.
variant() {
	local n=$1 k list=()
	for k in $(seq 1 "$n"); do list+=("$(day $((k * commits / (n + 1))))"); done
	awk -v days="${list[*]}" 'BEGIN { n = split(days, d, " ") } { print } /^  blueprint-[0-9]+:$/ { b++; printf "    reviewed: %s\n", d[b % n + 1] }' "$work/head.yaml" > "$work/portal-$n.yaml"
}
for n in 1 "$dates" 10; do variant "$n"; done
use() { cp "$work/portal-$1.yaml" "$repo/portal.yaml"; }

echo "== review --all against validate: ${gen[*]}, $commits commits, $dates review days; $runs rounds"
echo "file: $(wc -c < "$work/portal-$dates.yaml") bytes; history: $(git -C "$repo" rev-list --count HEAD) commits, $(du -sh "$repo/.git" | cut -f1); machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
use "$dates"
code=0
"$bin/portalctl" review --all -o json -f "$repo/portal.yaml" > "$work/packets.json" 2> "$work/err" || code=$?
if [ "$code" -ne 0 ] && [ "$code" -ne 2 ]; then
	cat "$work/err" >&2
	exit 1
fi
echo "packets: $(grep -o '"blueprint":' "$work/packets.json" | wc -l), compared with $(grep -o '"commit":"[0-9a-f]*"' "$work/packets.json" | sort -u | wc -l) commits, $(grep -o '"email":' "$work/packets.json" | wc -l) rows"

"$bin/portalctl" validate -f "$repo/portal.yaml" > /dev/null 2>&1 || true # warm the cache
: > "$work/validate"
: > "$work/review"
for r in $(seq 1 "$runs"); do
	if [ $((r % 2)) -eq 0 ]; then
		run validate "$bin/portalctl" validate -f "$repo/portal.yaml"
		run review "$bin/portalctl" review --all -f "$repo/portal.yaml"
	else
		run review "$bin/portalctl" review --all -f "$repo/portal.yaml"
		run validate "$bin/portalctl" validate -f "$repo/portal.yaml"
	fi
done
printf "%-22s %8s %8s %10s\n" "median of $runs" "wall s" "cpu s" "peak MiB"
for n in validate review; do
	label="validate"
	[ "$n" = review ] && label="review --all"
	printf "%-22s %8s %8s %10s\n" "$label" "$(median 1 "$work/$n")" "$(median 2 "$work/$n")" "$(awk -v k="$(median 3 "$work/$n")" 'BEGIN { printf "%.0f", k / 1024 }')"
done
echo "review / validate: wall $(div "$(median 1 "$work/review")" "$(median 1 "$work/validate")")× (target ≤ 5×), cpu $(div "$(median 2 "$work/review")" "$(median 2 "$work/validate")")×"

echo "== review --all by the number of distinct review days (median of $runs)"
printf "%-22s %8s %8s %10s\n" "review days" "wall s" "cpu s" "peak MiB"
for n in 1 "$dates" 10; do
	use "$n"
	: > "$work/days-$n"
	for r in $(seq 1 "$runs"); do run "days-$n" "$bin/portalctl" review --all -f "$repo/portal.yaml"; done
	printf "%-22s %8s %8s %10s\n" "$n" "$(median 1 "$work/days-$n")" "$(median 2 "$work/days-$n")" "$(awk -v k="$(median 3 "$work/days-$n")" 'BEGIN { printf "%.0f", k / 1024 }')"
done
