#!/usr/bin/env bash
# Regenerates fixtures/demo from scratch against a local moto: the declared
# files (by `driftgate import` of the declared state) and live.json (a
# `driftgate snapshot` taken after the ClickOps changes). Hand-written comments
# in the declared files are lost, and the committed demo keeps prod/worker in
# the ecspresso layout (ecs-service-def.json + ecs-task-def.json) converted by
# hand from the imported YAML; review the diff before committing.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${DRIFTGATE_VENV:-.venv}"
[ -x "$VENV/bin/moto_server" ] || { echo "run scripts/test.sh once to install moto" >&2; exit 2; }
PORT="$("$VENV/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
"$VENV/bin/moto_server" -H 127.0.0.1 -p "$PORT" >/dev/null 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null || true' EXIT
sleep 2
export AWS_ENDPOINT_URL="http://127.0.0.1:$PORT" AWS_ACCESS_KEY_ID=demo AWS_SECRET_ACCESS_KEY=demo AWS_EC2_METADATA_DISABLED=true
cargo build --quiet
VPC="$("$VENV/bin/python" scripts/demo/seed.py "$AWS_ENDPOINT_URL" declared)"
# moto makes up a new VPC id each run: the config names this run's.
sed -i "s/^security_group_vpcs = .*/security_group_vpcs = [\"$VPC\"]/" fixtures/demo/driftgate.toml
git show HEAD:fixtures/demo/infra/production/ecs/worker/ecs-service-def.json >/tmp/demo-worker-svc.json 2>/dev/null || true
git show HEAD:fixtures/demo/infra/production/ecs/worker/ecs-task-def.json >/tmp/demo-worker-td.json 2>/dev/null || true
rm -rf fixtures/demo/infra
target/debug/driftgate import --config fixtures/demo/driftgate.toml
# prod/worker stays in the ecspresso layout (the pair of JSON files).
if [ -s /tmp/demo-worker-svc.json ]; then
  rm -f fixtures/demo/infra/production/ecs/prod/worker.yaml
  mkdir -p fixtures/demo/infra/production/ecs/worker
  cp /tmp/demo-worker-svc.json fixtures/demo/infra/production/ecs/worker/ecs-service-def.json
  cp /tmp/demo-worker-td.json fixtures/demo/infra/production/ecs/worker/ecs-task-def.json
fi
"$VENV/bin/python" scripts/demo/seed.py "$AWS_ENDPOINT_URL" clickops
target/debug/driftgate snapshot --config fixtures/demo/driftgate.toml -o fixtures/demo/live.json
