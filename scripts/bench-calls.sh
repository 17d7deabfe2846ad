#!/usr/bin/env bash
# API calls against the floor, and wall time at AWS's rate limits.
#
# One moto 5.2.5 server holds an estate in one account and region, read by a
# driftgate.toml of two scopes (scripts/bench/seed_estate.py): ECS clusters
# of services sharing task definitions, a Route53 zone, VPCs of security
# groups. driftgate (release build) checks it through a counting proxy
# (scripts/bench/count_proxy.py) that names every call as AWS counts it;
# the script prints each API's calls beside its floor (the fewest calls at
# the largest documented page sizes), then the wall time of the same check,
# paced at AWS's documented limits and unpaced, medians of RUNS, beside the
# time those limits impose at the least (computed from the floor).
#   scripts/bench-calls.sh [RUNS] [CLUSTERS SERVICES FAMILIES RECORDS VPCS GROUPS]
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS="${1:-3}"
SHAPE=("${@:2}")
[ "${#SHAPE[@]}" = 6 ] || SHAPE=(5 100 50 2000 3 50)
VENV="${DRIFTGATE_BENCH_VENV:-.venv-bench}"
if ! "$VENV/bin/python" -c "import moto, boto3" 2>/dev/null; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "moto[server]==5.2.5"
fi
cargo build --release --quiet --bin driftgate
BIN="${DRIFTGATE_BENCH_BIN:-$PWD/target/release/driftgate}"
[ -x "$BIN" ] || BIN="${CARGO_TARGET_DIR:-target}/release/driftgate"

WORK="$(mktemp -d)"
free_port() { "$VENV/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
MOTO_PORT="$(free_port)"; PROXY_PORT="$(free_port)"
"$VENV/bin/moto_server" -H 127.0.0.1 -p "$MOTO_PORT" >"$WORK/moto.log" 2>&1 &
MOTO=$!
"$VENV/bin/python" scripts/bench/count_proxy.py "$PROXY_PORT" "http://127.0.0.1:$MOTO_PORT" &
PROXY=$!
trap 'kill $MOTO $PROXY 2>/dev/null || true; rm -rf "$WORK"' EXIT
for _ in $(seq 1 100); do
  "$VENV/bin/python" -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$MOTO_PORT/moto-api/')" 2>/dev/null && break
  sleep 0.2
done
export AWS_ACCESS_KEY_ID=bench AWS_SECRET_ACCESS_KEY=bench AWS_DEFAULT_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true
"$VENV/bin/python" scripts/bench/seed_estate.py "http://127.0.0.1:$MOTO_PORT" "$WORK" "${SHAPE[@]}" >"$WORK/floor.json"

run() { # endpoint, extra env...
  local endpoint=$1; shift
  env AWS_ENDPOINT_URL="$endpoint" "$@" "$BIN" check --config "$WORK/driftgate.toml" --format json >"$WORK/report.json" 2>"$WORK/err" || true
  "$VENV/bin/python" -c "
import json,sys
r=json.load(open('$WORK/report.json'))
assert r['complete'], r['summary']
" || { cat "$WORK/err"; exit 2; }
}

# Calls: one paced run through the proxy.
proxy() { "$VENV/bin/python" -c "import sys, urllib.request; sys.stdout.write(urllib.request.urlopen(urllib.request.Request('http://127.0.0.1:$PROXY_PORT/$1', method='$2')).read().decode())"; }
proxy __reset POST >/dev/null
run "http://127.0.0.1:$PROXY_PORT"
proxy __counts GET >"$WORK/counts.json"

# Wall time: paced and unpaced, straight to moto, interleaved.
: >"$WORK/times"
for i in $(seq 1 "$RUNS"); do
  for mode in paced unpaced; do
    pacing=on; [ "$mode" = unpaced ] && pacing=off
    start=$(date +%s%N)
    run "http://127.0.0.1:$MOTO_PORT" DRIFTGATE_AWS_PACING=$pacing
    end=$(date +%s%N)
    echo "$mode $(( (end - start) / 1000000 ))e-3" >>"$WORK/times"
  done
done

"$VENV/bin/python" - "$WORK/floor.json" "$WORK/counts.json" "$WORK/times" "${SHAPE[@]}" <<'PY'
import json, math, statistics, sys
seed = json.load(open(sys.argv[1])); floor = seed["floor"]; res = seed["resources"]
counts = json.load(open(sys.argv[2]))
times = {}
for line in open(sys.argv[3]):
    mode, t = line.split(); times.setdefault(mode, []).append(float(t))
clusters, per, families, records, vpcs, groups = map(int, sys.argv[4:10])

print(f"Estate: {clusters} clusters x {per} services sharing {families} task definitions "
      f"(two scopes), a zone of {res['dns_record']} record sets, {vpcs} VPCs of {groups + 1} groups.\n")
print("| API | calls | floor | calls / floor |")
print("|---|---|---|---|")
total = tfloor = 0
for api in sorted(set(floor) | {k for k in counts if not k.startswith("sts:")}):
    n, f = counts.get(api, 0), floor.get(api, 0)
    total += n; tfloor += f
    print(f"| {api} | {n} | {f} | {n / f:.2f}x |" if f else f"| {api} | {n} | 0 | - |")
print(f"| **all read calls** | **{total}** | **{tfloor}** | **{total / tfloor:.2f}x** |")
for k, n in counts.items():
    if k.startswith("sts:"):
        print(f"| {k} (the account, for pacing and the report; no permission needed) | {n} | - | - |")

# The least time AWS's documented quotas allow for these calls (token
# buckets: burst, then refill per second; Route53 evenly at 5 a second).
LIMITS = {"ecs:ListServices": ("ecs-svc", 100, 20), "ecs:DescribeServices": ("ecs-svc", 100, 20),
          "ecs:DescribeTaskDefinition": ("ecs-td", 50, 20),
          "route53:ListHostedZonesByName": ("r53", 1, 5), "route53:ListResourceRecordSets": ("r53", 1, 5),
          "ec2:DescribeSecurityGroups": ("ec2-sg", 100, 20)}
def at_limits(calls):
    fam = {}
    for api, n in calls.items():
        if api in LIMITS:
            name, burst, rate = LIMITS[api]
            b = fam.setdefault(name, [0, burst, rate]); b[0] += n
    return max((max(0, n - burst) / rate for n, burst, rate in fam.values()), default=0.0)
med = {m: statistics.median(v) for m, v in times.items()}
runs = len(times.get("paced", []))
print(f"\nWall time of the whole check (medians of {runs}; moto answers on loopback):\n")
print("| at AWS's limits, least (s) | driftgate paced (s) | overhead on the least (s) | driftgate unpaced (s) |")
print("|---|---|---|---|")
least = at_limits(floor)
print(f"| {least:.2f} | {med['paced']:.2f} | {med['paced'] - least:.2f} | {med['unpaced']:.2f} |")

print("\nThe least wall time AWS's limits allow for larger estates of one account and region "
      "(computed from the floor; clusters of 100 services, one task definition per 10 services, "
      "VPCs of up to 1,000 groups; the three kinds' quotas are separate buckets, so their times overlap):\n")
print("| resources of each kind | ECS services: calls, least s | record sets: calls, least s | security groups: calls, least s |")
print("|---|---|---|---|")
per_call = max(0.0, med["unpaced"]) / max(1, total)
for n in (1000, 10000, 100000):
    ecs = {"ecs:ListServices": n // 100, "ecs:DescribeServices": n // 10, "ecs:DescribeTaskDefinition": n // 10}
    r53 = {"route53:ListHostedZonesByName": 1, "route53:ListResourceRecordSets": math.ceil(n / 300)}
    sg = {"ec2:DescribeSecurityGroups": math.ceil(n / 1000)}
    cells = [f"{sum(c.values())}, {at_limits(c):.1f}" for c in (ecs, r53, sg)]
    print(f"| {n:,} | " + " | ".join(cells) + " |")
print(f"\n(driftgate's own cost unpaced, moto's answers included: {per_call * 1000:.1f} ms a call on average.)")
PY
