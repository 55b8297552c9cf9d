#!/usr/bin/env bash
# Many files, one portal (docs/large-organizations.md), measured as whole
# processes: `portalctl validate` of MEMBERS / BLUEPRINTS (default 100,000 /
# 2,000) written as one file, and the same content split by portal-gen --split
# into a root and SPLIT fragments (default 200). RUNS rounds (default 11), the
# two alternated, the first of each round swapped every round. Medians of wall
# time, CPU time (user + system) and peak RSS, then the ratios split / single.
# It checks first that both give the same access (access --all -o csv). Then
# `portalctl preview` of a pull request that adds a domain to 3 blueprints, so
# touching 3 of the fragments, against the same change to the one file: the
# base is read from git, the 198 fragments the change leaves alone are not.
# Run with `make bench`, or directly after building bin/portalctl and
# bin/portal-gen. Needs GNU time (/usr/bin/time).
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=$PWD/bin
runs=${RUNS:-11}
gen=(--members "${MEMBERS:-100000}" --blueprints "${BLUEPRINTS:-2000}")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# shellcheck source=examples/bench/lib.sh
. examples/bench/lib.sh
needs_time


mkdir -p "$work/single" "$work/split"
"$bin/portal-gen" "${gen[@]}" > "$work/single/portal.yaml"
"$bin/portal-gen" "${gen[@]}" --split "${SPLIT:-200}" --dir "$work/split"
git -C "$work/single" init -q
git -C "$work/split" init -q
echo "== validate, one file against a root and ${SPLIT:-200} fragments: ${gen[*]}; $runs rounds"
echo "one file: $(wc -c < "$work/single/portal.yaml") bytes; split: $(cat "$work/split/portal.yaml" "$work/split"/teams/*.yaml | wc -c) bytes in $(($(find "$work/split/teams" -name "*.yaml" | wc -l) + 1)) files; machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
"$bin/portalctl" access --all -o csv -f "$work/single/portal.yaml" > "$work/single.csv" 2> /dev/null
"$bin/portalctl" access --all -o csv -f "$work/split/portal.yaml" > "$work/split.csv" 2> /dev/null
if ! cmp -s "$work/single.csv" "$work/split.csv"; then
	echo "the split layout does not give the same access as the one file" >&2
	exit 1
fi
echo "same access: $(($(wc -l < "$work/single.csv") - 1)) rows of access --all -o csv"

# warm the page cache; not counted
"$bin/portalctl" validate -f "$work/single/portal.yaml" > /dev/null 2>&1 || true
"$bin/portalctl" validate -f "$work/split/portal.yaml" > /dev/null 2>&1 || true
: > "$work/one"
: > "$work/many"
for r in $(seq 1 "$runs"); do
	if [ $((r % 2)) -eq 0 ]; then
		run one "$bin/portalctl" validate -f "$work/single/portal.yaml"
		run many "$bin/portalctl" validate -f "$work/split/portal.yaml"
	else
		run many "$bin/portalctl" validate -f "$work/split/portal.yaml"
		run one "$bin/portalctl" validate -f "$work/single/portal.yaml"
	fi
done
printf "%-22s %8s %8s %10s\n" "median of $runs" "wall s" "cpu s" "peak MiB"
for n in one many; do
	label="one file"
	[ "$n" = many ] && label="root + ${SPLIT:-200} fragments"
	printf "%-22s %8s %8s %10s\n" "$label" "$(median 1 "$work/$n")" "$(median 2 "$work/$n")" "$(awk -v k="$(median 3 "$work/$n")" 'BEGIN { printf "%.0f", k / 1024 }')"
done
echo "split / one file: wall $(div "$(median 1 "$work/many")" "$(median 1 "$work/one")")× (target ≤ 1.2×), cpu $(div "$(median 2 "$work/many")" "$(median 2 "$work/one")")×, peak $(div "$(median 3 "$work/many")" "$(median 3 "$work/one")")×"

# A pull request touching 3 fragments: one more domain on a blueprint of each.
for dir in single split; do
	git -C "$work/$dir" -c user.name=bench -c user.email=bench@example.com add -A
	git -C "$work/$dir" -c user.name=bench -c user.email=bench@example.com commit -q -m base
done
for b in 0000 0500 1500; do
	for f in "$work/single/portal.yaml" "$work/split"/teams/*.yaml; do
		grep -q "blueprint-$b:" "$f" && sed -i "/blueprint-$b:/{n;s/domains: \[/domains: [newco.example, /}" "$f"
	done
done
echo
echo "== preview of a pull request adding a domain to 3 blueprints: $(git -C "$work/split" status --porcelain | wc -l) fragments changed; $runs rounds"
: > "$work/pone"
: > "$work/pmany"
(cd "$work/single" && "$bin/portalctl" preview --base HEAD -o markdown > /dev/null 2>&1) || true
for r in $(seq 1 "$runs"); do
	if [ $((r % 2)) -eq 0 ]; then
		(cd "$work/single" && run pone "$bin/portalctl" preview --base HEAD -o markdown)
		(cd "$work/split" && run pmany "$bin/portalctl" preview --base HEAD -o markdown)
	else
		(cd "$work/split" && run pmany "$bin/portalctl" preview --base HEAD -o markdown)
		(cd "$work/single" && run pone "$bin/portalctl" preview --base HEAD -o markdown)
	fi
done
printf "%-22s %8s %8s %10s\n" "median of $runs" "wall s" "cpu s" "peak MiB"
for n in pone pmany; do
	label="one file"
	[ "$n" = pmany ] && label="root + ${SPLIT:-200} fragments"
	printf "%-22s %8s %8s %10s\n" "$label" "$(median 1 "$work/$n")" "$(median 2 "$work/$n")" "$(awk -v k="$(median 3 "$work/$n")" 'BEGIN { printf "%.0f", k / 1024 }')"
done
echo "split / one file: wall $(div "$(median 1 "$work/pmany")" "$(median 1 "$work/pone")")×, cpu $(div "$(median 2 "$work/pmany")" "$(median 2 "$work/pone")")×; preview / validate, split: wall $(div "$(median 1 "$work/pmany")" "$(median 1 "$work/many")")×"
