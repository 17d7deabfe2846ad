#!/usr/bin/env bash
# Offline cost at scale: `check --live` (no cloud) of N declared record sets
# (one native zone file) against a snapshot of N live ones with five planted
# differences (scripts/bench/adopt_fixture.py), for each N given: wall time,
# CPU time (user+sys) and peak RSS by GNU time, medians of RUNS interleaved
# runs of the release build, and the input's size.
#   scripts/bench-offline.sh [RUNS] [N...]      (default: 3 1000 10000 100000)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS="${1:-3}"
shift || true
SIZES=("$@")
[ "${#SIZES[@]}" -gt 0 ] || SIZES=(1000 10000 100000)
command -v /usr/bin/time >/dev/null || { echo "needs GNU time (apt-get install time)" >&2; exit 2; }
cargo build --release --quiet --bin driftgate
BIN="${DRIFTGATE_BENCH_BIN:-$PWD/target/release/driftgate}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
for n in "${SIZES[@]}"; do
  python3 scripts/bench/adopt_fixture.py "$WORK/n$n" "$n"
done
for _ in $(seq 1 "$RUNS"); do
  for n in "${SIZES[@]}"; do
    (
      cd "$WORK/n$n"
      rc=0
      /usr/bin/time -f "$n %e %U %S %M" -a -o "$WORK/times.txt" \
        "$BIN" check --live live.json --format json >"$WORK/report-$n.json" 2>/dev/null || rc=$?
      [ "$rc" = 1 ] || { echo "n=$n exited $rc, expected 1" >&2; exit 2; }
    )
    python3 - "$WORK/report-$n.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))["summary"]
assert (s["changed"], s["missing"], s["unmanaged"], s["unchecked"]) == (2, 1, 2, 0), s
PY
  done
done
python3 - "$WORK" "${SIZES[@]}" <<'PY'
import os, statistics, sys
work, sizes = sys.argv[1], sys.argv[2:]
rows = {}
for line in open(os.path.join(work, "times.txt")):
    if line.startswith("Command exited"):  # GNU time's note on exit 1
        continue
    n, wall, user, sys_, rss = line.split()
    rows.setdefault(n, []).append((float(wall), float(user) + float(sys_), int(rss) / 1024))
print("| declared vs live record sets | input MB | wall s | CPU s | peak RSS MiB | RSS / input | wall per 1,000 |")
print("|---|---|---|---|---|---|---|")
for n in sizes:
    d = os.path.join(work, f"n{n}")
    size = os.path.getsize(os.path.join(d, "live.json")) + sum(
        os.path.getsize(os.path.join(r, f)) for r, _, fs in os.walk(os.path.join(d, "declared")) for f in fs)
    wall = statistics.median(r[0] for r in rows[n])
    cpu = statistics.median(r[1] for r in rows[n])
    rss = statistics.median(r[2] for r in rows[n])
    mb = size / 1e6
    print(f"| {int(n):,} vs {int(n):,} | {mb:.1f} | {wall:.2f} | {cpu:.2f} | {rss:.0f} | {rss * 1048576 / size:.1f}x | {wall / int(n) * 1000:.3f} s |")
PY
