#!/usr/bin/env bash
# The whole test suite, on a fresh machine: installs a pinned moto server into a
# local venv, starts it on a free loopback port, runs every cargo test against it,
# and stops it again. The tests fail (they never skip) when moto is not reachable.
set -euo pipefail
cd "$(dirname "$0")/.."

MOTO_VERSION="5.2.5"
# Validators of the report formats, from their own ecosystems, the AWS CLI
# that runs the revert commands `check --suggest` prints (against moto), and
# octoDNS with its Route53 provider, which writes zones into moto as its users do.
PY_VALIDATORS="jsonschema==4.26.0 junitparser==5.0.3 prometheus-client==0.26.0 awscli==1.46.2 octodns==1.22.0 octodns-route53==1.3.1 octodns-spf==1.0.0"
SARIF_SCHEMA_PACKAGE="@microsoft/jest-sarif@1.0.0-beta.0"
VENV="${DRIFTGATE_VENV:-.venv}"

if [ ! -x "$VENV/bin/moto_server" ] || ! "$VENV/bin/python" -c "import moto, jsonschema, junitparser, prometheus_client, awscli, octodns_route53, octodns_spf, sys; sys.exit(moto.__version__ != '$MOTO_VERSION' or awscli.__version__ != '1.46.2')" 2>/dev/null; then
  echo "test.sh: installing moto[server]==$MOTO_VERSION, the report validators and the AWS CLI into $VENV" >&2
  python3 -m venv "$VENV"
  # shellcheck disable=SC2086
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "moto[server]==$MOTO_VERSION" $PY_VALIDATORS
fi

# Debian's Chromium renders the HTML report in a test (headless, no network).
if [ ! -x /usr/bin/chromium ]; then
  echo "test.sh: installing Debian's chromium for the HTML report test" >&2
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get install -y -q chromium >/dev/null 2>&1 \
    || { $SUDO apt-get update -q >/dev/null && $SUDO apt-get install -y -q chromium >/dev/null; }
fi
export DRIFTGATE_TEST_CHROMIUM=/usr/bin/chromium
# The TLS test runs a loopback `openssl s_server`.
if ! command -v openssl >/dev/null; then
  echo "test.sh: installing Debian's openssl for the TLS test" >&2
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get install -y -q openssl >/dev/null 2>&1 \
    || { $SUDO apt-get update -q >/dev/null && $SUDO apt-get install -y -q openssl >/dev/null; }
fi

# The official SARIF 2.1.0 JSON schema, as Microsoft's SARIF tooling ships it on npm.
SCHEMA_DIR="target/test-deps"
SARIF_SCHEMA="$SCHEMA_DIR/sarif-2.1.0-rtm.5.json"
if [ ! -s "$SARIF_SCHEMA" ]; then
  mkdir -p "$SCHEMA_DIR"
  (cd "$SCHEMA_DIR" && npm pack --silent "$SARIF_SCHEMA_PACKAGE" >/dev/null \
    && tar -xzf microsoft-jest-sarif-*.tgz package/lib/schemas/sarif-2.1.0-rtm.5.json \
    && mv package/lib/schemas/sarif-2.1.0-rtm.5.json . && rm -rf package microsoft-jest-sarif-*.tgz)
fi
export DRIFTGATE_TEST_PYTHON="$PWD/$VENV/bin/python" DRIFTGATE_SARIF_SCHEMA="$PWD/$SARIF_SCHEMA"

PORT="$("$VENV/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')"
LOG="${TMPDIR:-/tmp}/driftgate-moto-$PORT.log"
"$VENV/bin/moto_server" -H 127.0.0.1 -p "$PORT" >"$LOG" 2>&1 &
MOTO_PID=$!
trap 'kill "$MOTO_PID" 2>/dev/null || true; wait "$MOTO_PID" 2>/dev/null || true' EXIT

for _ in $(seq 1 100); do
  if "$VENV/bin/python" -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$PORT/moto-api/')" 2>/dev/null; then
    break
  fi
  if ! kill -0 "$MOTO_PID" 2>/dev/null; then
    echo "test.sh: moto_server exited; its log:" >&2; cat "$LOG" >&2; exit 2
  fi
  sleep 0.2
done
echo "test.sh: moto $MOTO_VERSION listening on 127.0.0.1:$PORT" >&2

export DRIFTGATE_TEST_MOTO="http://127.0.0.1:$PORT"
cargo test --workspace --locked "$@"
