#!/usr/bin/env bash
# Adopt and suggest benchmark, offline: a native zone file of N record sets
# and a snapshot with five planted differences (scripts/bench/adopt_fixture.py).
# Times, side by side (release build, RUNS interleaved runs, medians):
#   check            `check --live` (the baseline: read, normalize, diff)
#   check-suggest    `check --live --suggest` (+ the verified adopt plan)
#   adopt-dry-run    `adopt --live --dry-run` (plan, verify, print the patch)
# Wall time, CPU time (user+sys) and peak RSS by GNU time.
#   scripts/bench-adopt.sh [RUNS] [N]
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS="${1:-5}"
N="${2:-10000}"
command -v /usr/bin/time >/dev/null || { echo "needs GNU time (apt-get install time)" >&2; exit 2; }
cargo build --release --quiet --bin driftgate
BIN="$PWD/target/release/driftgate"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
python3 scripts/bench/adopt_fixture.py "$WORK" "$N"
cd "$WORK"
run() { # name, expected exit, command...
  local name=$1 want=$2; shift 2
  local rc=0
  /usr/bin/time -f "$name %e %U %S %M" -a -o times.txt "$@" >/dev/null 2>&1 || rc=$?
  [ "$rc" = "$want" ] || { echo "$name exited $rc, expected $want" >&2; exit 2; }
}
for _ in $(seq 1 "$RUNS"); do
  run check 1 "$BIN" check --live live.json --format json
  run check-suggest 1 "$BIN" check --live live.json --format json --suggest
  run adopt-dry-run 0 "$BIN" adopt --live live.json --dry-run
done
python3 - "$N" <<'PY'
import statistics, sys
rows = {}
for line in open("times.txt"):
    if line.startswith("Command exited"):  # GNU time's note on exit 1
        continue
    name, wall, user, sys_, rss = line.split()
    rows.setdefault(name, []).append((float(wall), float(user) + float(sys_), int(rss) / 1024))
print(f"| {sys.argv[1]} record sets, 5 differences | wall s | CPU s | peak RSS MiB |")
print("|---|---|---|---|")
for name, r in rows.items():
    med = [statistics.median(x[i] for x in r) for i in range(3)]
    print(f"| {name} | {med[0]:.2f} | {med[1]:.2f} | {med[2]:.0f} |")
PY
