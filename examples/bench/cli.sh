#!/usr/bin/env bash
# End-to-end timings of the built binaries, for BENCHMARKS.md (validate and preview
# against the parse floor are in floor.sh):
#  - plan against the emulator answering after 20 ms, 1,000 members / 500 blueprints:
#    requests counted by the emulator, wall time against the floor
#    round trips ÷ 8 × 20 ms.
#  - access --all -o csv on 100,000 members / 2,000 blueprints of 10 rules: rows,
#    wall time and peak RSS of the whole process (GNU time).
# Run with `make bench` (after the Go benchmarks) or directly after `make build`.
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=bin
work=$(mktemp -d)
emulator_pid=""
cleanup() {
	[ -n "$emulator_pid" ] && kill "$emulator_pid" 2>/dev/null && wait "$emulator_pid" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT

echo "== plan against the emulator with 20 ms latency: 1,000 members, 500 blueprints"
"$bin/portal-gen" --members 1000 --blueprints 500 --rules 10 > "$work/seed.yaml"
token="bench-$RANDOM$RANDOM"
"$bin/portal-emulator" --listen 127.0.0.1:0 --token "$token" --seed "$work/seed.yaml" --latency 20ms \
	> "$work/emu.out" 2> "$work/emu.err" &
emulator_pid=$!
for _ in $(seq 1 200); do grep -q '^listening on ' "$work/emu.out" 2>/dev/null && break; sleep 0.05; done
url=$(sed -n 's/^listening on //p' "$work/emu.out" | head -n 1)
[ -n "$url" ] || { cat "$work/emu.err" >&2; exit 1; }
export QOVERY_API_TOKEN=$token QOVERY_API_URL=$url
for i in 1 2 3; do
	curl -s -X DELETE "$url/_emulator/stats" > /dev/null
	start=$(date +%s%N)
	"$bin/portalctl" plan -f "$work/seed.yaml" --detailed-exitcode > /dev/null
	end=$(date +%s%N)
	requests=$(curl -s "$url/_emulator/stats" | sed -n 's/.*"total": *\([0-9]*\).*/\1/p')
	awk -v r="$requests" -v ms="$(( (end - start) / 1000000 ))" 'BEGIN {
		floor = r / 8 * 20
		printf "plan (run %d): %d requests, %d ms wall, floor %.0f ms, %.2fx the floor\n", '"$i"', r, ms, floor, ms / floor }'
done

echo "== access --all -o csv as a whole process: 100,000 members, 2,000 blueprints of 10 rules"
"$bin/portal-gen" --members 100000 --blueprints 2000 --rules 10 > "$work/big.yaml"
for i in 1 2 3; do
	/usr/bin/time -o "$work/time.txt" -f "%e %M" "$bin/portalctl" access --all -o csv -f "$work/big.yaml" \
		> "$work/access.csv" 2> "$work/access.err"
	read -r wall rss < "$work/time.txt"
	rows=$(( $(wc -l < "$work/access.csv") - 1 ))
	echo "access --all (run $i): $rows rows, ${wall} s wall, $(( rss / 1024 )) MiB peak RSS"
done
