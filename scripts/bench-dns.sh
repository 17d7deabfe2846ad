#!/usr/bin/env bash
# DNS benchmark: a 10,000-record-set zone in moto, five planted differences,
# checked side by side by
#   driftgate   `driftgate check` against the octoDNS zone file (release build),
#               at Route53's quota of 5 requests a second
#   driftgate-unpaced  the same with DRIFTGATE_ROUTE53_RPS=0 (its own cost)
#   octodns     `octodns-sync` dry run (octodns + octodns-route53), same file
#   floor       a bare loop paging the zone through aws-sdk-route53, nothing else
# Each tool runs RUNS times, interleaved; wall time, CPU time (user+sys) and
# peak RSS are measured by GNU time, and medians are printed as a Markdown table.
#   scripts/bench-dns.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS="${1:-5}"
VENV="${DRIFTGATE_BENCH_VENV:-.venv-bench}"
if ! "$VENV/bin/python" -c "import octodns, octodns_route53, moto" 2>/dev/null; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check \
    "octodns==1.22.0" "octodns-route53==1.3.1" "moto[server]==5.2.5"
fi
command -v /usr/bin/time >/dev/null || { echo "needs GNU time (apt-get install time)" >&2; exit 2; }
cargo build --release --quiet --bin driftgate --example route53_floor

WORK="$(mktemp -d)"
PORT="$("$VENV/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
"$VENV/bin/moto_server" -H 127.0.0.1 -p "$PORT" >"$WORK/moto.log" 2>&1 &
MOTO=$!
trap 'kill $MOTO 2>/dev/null || true; rm -rf "$WORK"' EXIT
for _ in $(seq 1 100); do
  "$VENV/bin/python" -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$PORT/moto-api/')" 2>/dev/null && break
  sleep 0.2
done
export AWS_ENDPOINT_URL="http://127.0.0.1:$PORT" AWS_ACCESS_KEY_ID=bench AWS_SECRET_ACCESS_KEY=bench \
  AWS_DEFAULT_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true
ZONE=bench.example
ZONE_ID="$("$VENV/bin/python" scripts/bench/seed_zone.py "$AWS_ENDPOINT_URL" "$ZONE" "$WORK/declared")"
cat >"$WORK/driftgate.toml" <<TOML
[[scope]]
name = "bench"
mode = "enforce"
declared = "declared"
[scope.aws]
region = "us-east-1"
route53_zones = ["$ZONE"]
TOML
cat >"$WORK/octodns.yaml" <<YAML
providers:
  config:
    class: octodns.provider.yaml.YamlProvider
    directory: $WORK/declared
    enforce_order: false
  route53:
    class: octodns_route53.Route53Provider
    access_key_id: env/AWS_ACCESS_KEY_ID
    secret_access_key: env/AWS_SECRET_ACCESS_KEY
zones:
  $ZONE.:
    sources: [config]
    targets: [route53]
YAML

# Sanity: each tool must see the planted differences (and driftgate exactly them).
set +e
target/release/driftgate check --config "$WORK/driftgate.toml" --format json >"$WORK/report.json" 2>"$WORK/dg.err"
code=$?
set -e
[ "$code" = 1 ] || { echo "driftgate exited $code, expected 1"; cat "$WORK/dg.err"; exit 2; }
"$VENV/bin/python" - "$WORK/report.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
s = r["summary"]
assert (s["changed"], s["missing"], s["unmanaged"], s["unchecked"]) == (3, 1, 1, 0), s
print(f"driftgate: {s}", file=sys.stderr)
PY
"$VENV/bin/octodns-sync" --config-file "$WORK/octodns.yaml" >"$WORK/octodns.out" 2>&1 || { cat "$WORK/octodns.out"; exit 2; }
grep -q "Creates=1, Updates=3, Deletes=1" "$WORK/octodns.out" || { echo "octodns plan differs:"; grep -E "Creates|Updates|Deletes" "$WORK/octodns.out"; }
target/release/examples/route53_floor "${ZONE_ID##*/}"

measure() { # name, command...
  local name=$1; shift
  /usr/bin/time -f "$name %e %U %S %M" -a -o "$WORK/times" "$@" >/dev/null 2>&1 || true
}
for _ in $(seq 1 "$RUNS"); do
  measure driftgate target/release/driftgate check --config "$WORK/driftgate.toml" --format json
  DRIFTGATE_ROUTE53_RPS=0 measure driftgate-unpaced target/release/driftgate check --config "$WORK/driftgate.toml" --format json
  measure octodns "$VENV/bin/octodns-sync" --config-file "$WORK/octodns.yaml"
  measure floor target/release/examples/route53_floor "${ZONE_ID##*/}"
done
"$VENV/bin/python" - "$WORK/times" "$RUNS" <<'PY'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    if line.startswith("Command exited"):
        continue  # GNU time's note on a non-zero exit (driftgate exits 1: drift)
    name, wall, user, sys_, rss = line.split()
    rows.setdefault(name, []).append((float(wall), float(user) + float(sys_), int(rss)))
floor = statistics.median(w for w, _, _ in rows["floor"])
print(f"| tool | wall (s) | CPU (s) | peak RSS (MiB) | wall / floor | runs |")
print(f"|---|---|---|---|---|---|")
for name in ("driftgate", "driftgate-unpaced", "octodns", "floor"):
    r = rows[name]
    w = statistics.median(x[0] for x in r)
    c = statistics.median(x[1] for x in r)
    m = statistics.median(x[2] for x in r) / 1024
    print(f"| {name} | {w:.2f} | {c:.2f} | {m:.1f} | {w / floor:.2f}x | {len(r)} (min {min(x[0] for x in r):.2f}, max {max(x[0] for x in r):.2f}) |")
PY
