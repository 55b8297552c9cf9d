#!/usr/bin/env bash
# End-to-end timings of the built binaries, for BENCHMARKS.md:
#  - validate and preview on 100,000 members / 2,000 blueprints / 10 rules (SPEC §8),
#    with peak memory;
#  - plan against the emulator answering after 20 ms, 1,000 members / 500 blueprints:
#    requests counted by the emulator, wall time against the floor
#    round trips ÷ 8 × 20 ms.
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

# measure LABEL CMD...: wall seconds and peak RSS, from GNU time when present.
measure() {
	local label=$1; shift
	if [ -x /usr/bin/time ]; then
		/usr/bin/time -f "$label: %e s wall, %M KiB peak RSS" "$@" > /dev/null 2> "$work/time.err" || true
		tail -n 1 "$work/time.err"
	else
		local start end
		start=$(date +%s.%N); "$@" > /dev/null 2>&1 || true; end=$(date +%s.%N)
		echo "$label: $(echo "$end - $start" | bc) s wall (install GNU time for memory)"
	fi
}

echo "== 100,000 members, 2,000 blueprints, 10 rules each"
repo="$work/repo"; mkdir -p "$repo"
"$bin/portal-gen" --members 100000 --blueprints 2000 --rules 10 > "$repo/portal.yaml"
git -C "$repo" init -q -b main
git -C "$repo" -c user.name=bench -c user.email=bench@example.com add portal.yaml
git -C "$repo" -c user.name=bench -c user.email=bench@example.com commit -q -m base
"$bin/portal-gen" --members 100000 --blueprints 2000 --rules 10 \
	--changed-blueprints 20 --opened-blueprints 1 --new-members 50 --removed-members 50 > "$repo/portal.yaml"
echo "file: $(wc -c < "$repo/portal.yaml") bytes"
for i in 1 2 3; do measure "validate (run $i)" "$bin/portalctl" validate -f "$repo/portal.yaml"; done
for i in 1 2 3; do measure "preview  (run $i)" sh -c "cd '$repo' && exec '$PWD/$bin/portalctl' preview --base HEAD -o markdown"; done

echo
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
