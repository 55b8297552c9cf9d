#!/usr/bin/env bash
# The parse floor (SPEC §8), measured as whole processes:
#  1. bin/yamlfloor (the YAML library parsing the file into a node tree, nothing
#     else), `portalctl validate` and `portalctl preview` of a pull request, on
#     MEMBERS / BLUEPRINTS / RULES (default 100,000 / 2,000 / 10). RUNS rounds (default 11); each
#     round runs the three, in an order rotated every round. Medians of wall time,
#     CPU time (user + system) and peak RSS, then the ratios.
#  2. Memory: validate on the densest file of each shape (portal-gen --dense) of
#     DENSE_SIZE bytes (default 16 MiB; 0 skips): peak RSS against 40 times the
#     size, and whether the file was accepted or refused (and why).
# Run with `make bench`, or directly after building bin/portalctl, bin/portal-gen
# and bin/yamlfloor. Needs GNU time (/usr/bin/time).
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=$PWD/bin
runs=${RUNS:-11}
dense_size=${DENSE_SIZE:-16777216}
gen=(--members "${MEMBERS:-100000}" --blueprints "${BLUEPRINTS:-2000}" --rules "${RULES:-10}")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# shellcheck source=examples/bench/lib.sh
. examples/bench/lib.sh
needs_time




echo "== floor, validate and preview as whole processes: ${gen[*]}; $runs rounds"
repo="$work/repo"
mkdir -p "$repo"
"$bin/portal-gen" "${gen[@]}" > "$repo/portal.yaml"
git -C "$repo" init -q -b main
git -C "$repo" -c user.name=bench -c user.email=bench@example.com add portal.yaml
git -C "$repo" -c user.name=bench -c user.email=bench@example.com commit -q -m base
"$bin/portal-gen" "${gen[@]}" \
	--changed-blueprints 20 --opened-blueprints 1 --new-members 50 --removed-members 50 > "$repo/portal.yaml"
echo "file: $(wc -c < "$repo/portal.yaml") bytes; machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"

floor() { run floor "$bin/yamlfloor" "$repo/portal.yaml"; }
validate() { run validate "$bin/portalctl" validate -f "$repo/portal.yaml"; }
preview() { (cd "$repo" && run preview "$bin/portalctl" preview --base HEAD -o markdown); }
floor # warm the page cache; not counted
rm -f "$work/floor"
for r in $(seq 1 "$runs"); do
	case $((r % 3)) in
	0) floor; validate; preview ;;
	1) validate; preview; floor ;;
	2) preview; floor; validate ;;
	esac
done
printf '%-9s %10s %10s %10s\n' "" "wall s" "cpu s" "peak MiB"
for c in floor validate preview; do
	printf '%-9s %10s %10s %10.0f\n' "$c" "$(median 1 "$work/$c")" "$(median 2 "$work/$c")" "$(div "$(median 3 "$work/$c")" 1024)"
done
ratio() { awk -v a="$(median "$1" "$work/$2")" -v b="$(median "$1" "$work/$3")" 'BEGIN { printf "%.2f", a / b }'; }
echo "validate / floor:   $(ratio 1 validate floor)x wall, $(ratio 2 validate floor)x cpu   (target: within 1.6x, peak <= 150 MiB)"
echo "preview / validate: $(ratio 1 preview validate)x wall, $(ratio 2 preview validate)x cpu   (target: within 2x)"

[ "$dense_size" -gt 0 ] || exit 0
echo
budget=$((dense_size * 40 > 134217728 ? dense_size * 40 : 134217728))
echo "== memory: validate on the densest files of $dense_size bytes (budget: 40 times the size, 128 MiB at least: $((budget / 1048576)) MiB)"
printf '%-15s %10s %10s  %s\n' shape "peak MiB" "x size" outcome
for shape in $("$bin/portal-gen" --list-dense); do
	f="$work/$shape.yaml"
	"$bin/portal-gen" --dense "$shape" --size "$dense_size" > "$f"
	/usr/bin/time -f "%M" -o "$work/time" "$bin/portalctl" validate -f "$f" -o github > "$work/out" 2>&1 || true
	kib=$(tail -n 1 "$work/time")
	refused=$(grep -m 1 -o '^::error .*title=portalctl too-[a-z-]*' "$work/out" | sed 's/.*title=portalctl //' || true)
	outcome="checked: $(tail -n 1 "$work/out" | sed 's/.* is \(in\)*valid/\1valid/')"
	[ -z "$refused" ] || outcome="refused: $refused"
	printf '%-15s %10.0f %10.1f  %s\n' "$shape" "$(div "$kib" 1024)" "$(div "$((kib * 1024))" "$(wc -c < "$f")")" "$outcome"
	rm -f "$f"
done
