#!/usr/bin/env bash
# Hostile declared input: is every file read or rejected in time linear in
# its size? Generates pull-request-sized attacks at growing sizes and times
# `driftgate check --live` on each (release build, RUNS runs, medians):
#   flow-N     a YAML file of N nested `[` (flow nesting)
#   block-N    a YAML file N mappings deep by indentation (size ~ N^2/2)
#   key-N      an ECS file (JSON) whose one unknown key is N bytes long
#                ("did you mean" once compared it with every known key)
# Every case must be refused with a clear error (exit 2).
#   scripts/bench-hostile.sh [RUNS] [BIN]
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS="${1:-3}"
BIN="${2:-}"
if [ -z "$BIN" ]; then
  cargo build --release --quiet --bin driftgate
  BIN="$PWD/target/release/driftgate"
fi
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
python3 - "$WORK" <<'PY'
import os, sys
w = sys.argv[1]
def case(name, text, file="svc.yaml"):
    d = os.path.join(w, name)
    os.makedirs(os.path.join(d, "infra"), exist_ok=True)
    with open(os.path.join(d, "driftgate.toml"), "w") as f:
        f.write('[[scope]]\nname = "s"\nmode = "enforce"\ndeclared = "infra"\n'
                '[scope.aws]\nregion = "us-east-1"\necs_clusters = ["prod"]\n')
    with open(os.path.join(d, "infra", file), "w") as f:
        f.write(text)
    with open(os.path.join(d, "live.json"), "w") as f:
        f.write('{"schema_version": 1, "scopes_read": ["ecs_service:prod"], "resources": [], "unchecked": []}')
for n in (20_000, 50_000, 100_000):
    case(f"flow-{n}", "kind: ecs_service\nservice: " + "[" * n + "\n")
for n in (500, 1_000, 2_000):
    case(f"block-{n}", "".join(" " * i + f"k{i}:\n" for i in range(n)))
for n in (1_000_000, 4_000_000, 8_000_000):
    case(f"key-{n}", '{"kind": "ecs_service", "cluster": "prod", "serviceName": "api", "' + "x" * n + '": 1}', "svc.json")
PY
for d in "$WORK"/*/; do
  name=$(basename "$d")
  for _ in $(seq 1 "$RUNS"); do
    rc=0
    ( cd "$d" && /usr/bin/time -f "$name %e %M $(stat -c %s infra/svc.*)" -a -o "$WORK/times.txt" \
        "$BIN" check --live live.json >/dev/null 2>"$WORK/$name.err" ) || rc=$?
    [ "$rc" = 2 ] || { echo "$name exited $rc, expected 2" >&2; cat "$WORK/$name.err" >&2; exit 2; }
  done
  head -c 160 "$WORK/$name.err" | head -1 | sed "s|^|  $name: |" >&2
done
python3 - "$WORK/times.txt" <<'PY'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    if line.startswith("Command exited"):
        continue
    name, wall, rss, size = line.split()
    rows.setdefault(name, []).append((float(wall), int(rss) / 1024, int(size)))
print("| case | file size | wall s (median) | peak RSS MiB |")
print("|---|---|---|---|")
key = lambda n: (n.split("-")[0], int(n.split("-")[1]))
for name in sorted(rows, key=key):
    r = rows[name]
    print(f"| {name} | {r[0][2]:,} B | {statistics.median(x[0] for x in r):.3f} | {statistics.median(x[1] for x in r):.0f} |")
PY
