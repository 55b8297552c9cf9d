#!/usr/bin/env bash
# How preview's cost grows with the change, measured as whole processes (see
# BENCHMARKS.md, "Preview grows with the change"):
#  1. A reorganisation on 20,000 members and 10,000 blueprints of 10 rules:
#     2,500, 5,000 and 10,000 blueprints get one domain in place of theirs, and the
#     10,000 again with 50 blueprints opened, 500 members invited and 500 removed.
#     `portalctl validate` of the same file is the floor. RUNS rounds (default 7),
#     the commands in an order rotated every round; medians of wall time, CPU time
#     and peak RSS, then the ratios.
#  2. A pull request on 100,000 members and 2,000 blueprints that replaces 1,000
#     members and adds a domain to 100 blueprints, against validate of its file.
# Run with `make bench`, or directly after `make build`. Needs GNU time.
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=$PWD/bin
runs=${RUNS:-7}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# shellcheck source=examples/bench/lib.sh
. examples/bench/lib.sh
needs_time

# run NAME DIR CMD...: runs CMD once in DIR, appending "wall cpu rss_kib" to $work/NAME.

ratio() { awk -v a="$(median "$1" "$work/$2")" -v b="$(median "$1" "$work/$3")" 'BEGIN { printf "%.2f", a / b }'; }

# repo DIR GEN...: a git repository whose commit holds the base file of GEN.
repo() {
	local dir=$1
	shift
	mkdir -p "$dir"
	"$bin/portal-gen" "$@" > "$dir/portal.yaml"
	git -C "$dir" init -q -b main
	git -C "$dir" -c user.name=bench -c user.email=bench@example.com add portal.yaml
	git -C "$dir" -c user.name=bench -c user.email=bench@example.com commit -q -m base
}

table() {
	printf '%-14s %10s %10s %10s\n' "" "wall s" "cpu s" "peak MiB"
	for c in "$@"; do
		printf '%-14s %10s %10s %10.0f\n' "$c" "$(median 1 "$work/$c")" "$(median 2 "$work/$c")" \
			"$(awk -v k="$(median 3 "$work/$c")" 'BEGIN { print k / 1024 }')"
	done
}

gen=(--members 20000 --blueprints 10000 --rules 10)
echo "== preview of a reorganisation, ${gen[*]}; $runs rounds; machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
cases=(2500 5000 10000 all)
for c in "${cases[@]}"; do
	repo "$work/r$c" "${gen[@]}"
	case $c in
	all) "$bin/portal-gen" "${gen[@]}" --changed-blueprints 10000 --opened-blueprints 50 --new-members 500 --removed-members 500 > "$work/r$c/portal.yaml" ;;
	*) "$bin/portal-gen" "${gen[@]}" --changed-blueprints "$c" > "$work/r$c/portal.yaml" ;;
	esac
done
validate() { run_in validate "$work/r10000" "$bin/portalctl" validate -f portal.yaml; }
preview() { run_in "changed-$1" "$work/r$1" "$bin/portalctl" preview --base HEAD -o markdown; }
validate # warm the page cache; not counted
rm -f "$work/validate"
for r in $(seq 1 "$runs"); do
	# Rotate the order every round, so that no command always runs after another.
	order=(validate 2500 5000 10000 all)
	for i in $(seq 0 4); do
		c=${order[$(((i + r) % 5))]}
		if [ "$c" = validate ]; then validate; else preview "$c"; fi
	done
done
table validate changed-2500 changed-5000 changed-10000 changed-all
echo "10,000 / 2,500 changed: $(ratio 1 changed-10000 changed-2500)x wall, $(ratio 2 changed-10000 changed-2500)x cpu   (target: within 4.5x)"
echo "10,000 changed / validate: $(ratio 1 changed-10000 validate)x wall   (target: 3 s and 600 MiB)"

echo
gen=(--members 100000 --blueprints 2000 --rules 10)
echo "== preview at 100,000 members: 1,000 members replaced, a domain added to 100 blueprints; $runs rounds"
repo "$work/big" "${gen[@]}"
"$bin/portal-gen" "${gen[@]}" --new-members 1000 --removed-members 1000 --domain-added-blueprints 100 > "$work/big/portal.yaml"
bigvalidate() { run_in big-validate "$work/big" "$bin/portalctl" validate -f portal.yaml; }
bigpreview() { run_in big-preview "$work/big" "$bin/portalctl" preview --base HEAD -o markdown; }
bigvalidate
rm -f "$work/big-validate"
for r in $(seq 1 "$runs"); do
	if ((r % 2)); then bigvalidate; bigpreview; else bigpreview; bigvalidate; fi
done
table big-validate big-preview
echo "preview / validate: $(ratio 1 big-preview big-validate)x wall, $(ratio 2 big-preview big-validate)x cpu   (target: within 2x)"
