#!/usr/bin/env bash
# The main job end to end on the bundled emulator, the portal and its Qovery
# organization's members (an invitation, role changes, a removal):
# validate → plan → apply → plan (no changes) → access → preview → expiring access.
# Run it with `make demo`; it needs only the binaries in bin/.
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

bold="" plain=""
if [ -t 1 ] && [ -z "${NO_COLOR:-}" ]; then bold=$'\033[1m' plain=$'\033[0m'; fi
step() { printf '\n%s== %s%s\n$ %s\n' "$bold" "$1" "$plain" "$2"; }

# A throwaway token for the local emulator only; the real one lives in a CI secret.
export QOVERY_API_TOKEN="demo-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
export QOVERY_ORGANIZATION_ID=0b5c2a34-7d0e-4f55-9a61-3b0d1c2e9f10

"$bin/portal-emulator" --listen 127.0.0.1:0 --token "$QOVERY_API_TOKEN" \
	--organization "$QOVERY_ORGANIZATION_ID" --seed examples/demo/seed.yaml \
	--state "$work/state.json" > "$work/emulator.out" 2> "$work/emulator.err" &
emulator_pid=$!
for _ in $(seq 1 100); do
	grep -q '^listening on ' "$work/emulator.out" 2>/dev/null && break
	kill -0 "$emulator_pid" 2>/dev/null || { cat "$work/emulator.err" >&2; exit 1; }
	sleep 0.05
done
QOVERY_API_URL=$(sed -n 's/^listening on //p' "$work/emulator.out" | head -n 1)
[ -n "$QOVERY_API_URL" ] || { echo "the emulator did not start" >&2; cat "$work/emulator.err" >&2; exit 1; }
export QOVERY_API_URL
echo "portal emulator on $QOVERY_API_URL, seeded from examples/demo/seed.yaml"
echo "(the portal's endpoints are modelled on the product documentation; the organization's members go through Qovery's published API)"

step "1. validate the file" "portalctl validate -f portal.yaml"
"$bin/portalctl" validate -f portal.yaml

step "2. plan: what would change, and who gains or loses access" "portalctl plan --out portal.plan"
"$bin/portalctl" plan -f portal.yaml --out "$work/portal.plan"

step "3. apply the saved plan" "portalctl apply --plan portal.plan --auto-approve"
"$bin/portalctl" apply --plan "$work/portal.plan" --auto-approve

step "4. plan again: nothing left to do" "portalctl plan --detailed-exitcode"
set +e
"$bin/portalctl" plan -f portal.yaml --detailed-exitcode
code=$?
set -e
if [ "$code" -ne 0 ]; then echo "expected no changes after apply (exit 0), got exit $code" >&2; exit 1; fi

step "5. who sees what" "portalctl access erin@partner.org; portalctl access --blueprint gpu-training --live"
"$bin/portalctl" access -f portal.yaml erin@partner.org
"$bin/portalctl" access -f portal.yaml --live --blueprint gpu-training

step "6. preview a pull request, offline (no token needed)" "portalctl preview --base HEAD -o text"
repo="$work/repo"
mkdir -p "$repo"
cp portal.yaml "$repo/portal.yaml"
git -C "$repo" init -q -b main
git -C "$repo" -c user.name=demo -c user.email=demo@example.com add portal.yaml
git -C "$repo" -c user.name=demo -c user.email=demo@example.com commit -q -m "portal as applied"
# The pull request: open gpu-training to the whole company, and invite a new hire
# into the portal and, as a Viewer, into the Qovery organization.
sed -i '/^members:/,/^$/ s/^  - email: heidi@company.com$/  - email: heidi@company.com\n  - email: ivan@company.com/' "$repo/portal.yaml"
sed -i 's/^  gpu-training:$/  gpu-training:\n    domains: [company.com]/; s/^organization_members:.*$/&\n  - email: ivan@company.com\n    role: Viewer/' "$repo/portal.yaml"
(cd "$repo" && env -u QOVERY_API_TOKEN "$OLDPWD/$bin/portalctl" preview --base HEAD -o text)
echo
echo "The same preview as the pull-request comment (markdown):"
(cd "$repo" && env -u QOVERY_API_TOKEN "$OLDPWD/$bin/portalctl" preview --base HEAD)

step "7. access that ends on its own: an entry whose expires date has passed" "portalctl plan; portalctl expire --write"
# A copy of the file in which the freelancer's contract ended on 2026-01-31: plan
# removes them with the reason, and expire deletes the entry from the file, keeping
# every other line and comment as it was.
cp portal.yaml "$work/portal.yaml"
sed -i 's/^  - email: freelancer@gmail.com$/&\n    expires: 2026-01-31/' "$work/portal.yaml"
(cd "$work" && "$OLDPWD/$bin/portalctl" plan -f portal.yaml)
echo
code=0
(cd "$work" && "$OLDPWD/$bin/portalctl" expire -f portal.yaml --write) || code=$?
[ "$code" -eq 2 ] || { echo "expire --write: exit $code, want 2 (entries deleted)" >&2; exit 1; }
echo "exit 2: the file changed. What it deleted, as a diff:"
diff -u portal.yaml "$work/portal.yaml" | sed '1,2d' || true

step "8. someone changed access in the portal's UI: sync brings it back into git" "portalctl sync; portalctl sync --write"
# The portal's UI is played by an apply of another file: it invites judy and
# makes heidi an admin, in the portal and in the organization. sync lists what the file lacks, --write writes it
# into a copy of the file in place, and plan then has nothing to do.
mkdir -p "$work/sync"
cp portal.yaml "$work/sync/portal.yaml"
cp portal.yaml "$work/ui.yaml"
sed -i 's/^  - email: heidi@company.com$/&\n    role: admin\n  - email: judy@company.com/' "$work/ui.yaml"
"$bin/portalctl" apply -f "$work/ui.yaml" --auto-approve > /dev/null
code=0
(cd "$work/sync" && "$OLDPWD/$bin/portalctl" sync -f portal.yaml --write) || code=$?
[ "$code" -eq 2 ] || { echo "sync --write: exit $code, want 2 (files written)" >&2; exit 1; }
echo "What it wrote, as a diff:"
diff -u portal.yaml "$work/sync/portal.yaml" | sed '1,2d' || true
(cd "$work/sync" && "$OLDPWD/$bin/portalctl" plan -f portal.yaml --detailed-exitcode > /dev/null) ||
	{ echo "plan after sync --write: changes left" >&2; exit 1; }
echo "plan after sync --write: no changes."

step "9. many files, one portal: a root file and fragments owned by teams" "portalctl validate -f examples/split/portal.yaml; portalctl codeowners"
"$bin/portalctl" validate -f examples/split/portal.yaml
"$bin/portalctl" codeowners -f examples/split/portal.yaml --check examples/split/CODEOWNERS

printf '\n%sDemo complete.%s The emulator is stopped; nothing was left running.\n' "$bold" "$plain"
