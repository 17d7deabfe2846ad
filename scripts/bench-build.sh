#!/usr/bin/env bash
# Build benchmark (issue 13, goal 5): cold builds of one or more commits, each
# from a clean clone of this repository into an empty target directory,
# `--locked`, one after the other, timed by GNU time:
#   release  cargo build --release --bin driftgate   (goal: under 4 minutes)
#   debug    cargo build --workspace                 (goal: under 90 s)
# Prints a Markdown table: wall seconds and CPU seconds (user + system).
# Nothing else should run meanwhile: on 2 cores one run is not a measurement,
# compare commits measured back to back.
#   scripts/bench-build.sh [COMMIT...]        (default: HEAD)
# Set DRIFTGATE_BENCH_TIMINGS=1 to keep cargo's --timings HTML reports.
set -euo pipefail
cd "$(dirname "$0")/.."
REPO="$PWD"
[ "$#" -gt 0 ] || set -- HEAD
command -v /usr/bin/time >/dev/null || { echo "needs GNU time (apt-get install time)" >&2; exit 2; }
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
timings=()
[ "${DRIFTGATE_BENCH_TIMINGS:-}" = 1 ] && timings=(--timings)

measure() { # name, log, command...
  local name=$1 log=$2; shift 2
  /usr/bin/time -f "%e %U %S" -o "$WORK/t" "$@" >"$log" 2>&1 || { tail -20 "$log" >&2; exit 2; }
  read -r wall user sys <"$WORK/t"
  awk -v n="$name" -v w="$wall" -v u="$user" -v s="$sys" 'BEGIN { printf "%s %.0f %.0f\n", n, w, u + s }'
}

echo "| commit | release wall (s) | release CPU (s) | debug wall (s) | debug CPU (s) |"
echo "|---|---|---|---|---|"
for rev in "$@"; do
  sha="$(git rev-parse --short "$rev")"
  src="$WORK/src-$sha"
  git clone -q "$REPO" "$src"
  git -C "$src" checkout -q "$sha"
  for profile in release debug; do
    args=(--locked --workspace)
    [ "$profile" = release ] && args=(--release --locked --bin driftgate)
    out=$(cd "$src" && measure "$profile" "$WORK/$profile-$sha.log" \
      env CARGO_TARGET_DIR="$WORK/target" cargo build "${args[@]}" "${timings[@]}")
    [ "$profile" = release ] && rel=$out || dbg=$out
    if [ "${#timings[@]}" -gt 0 ]; then
      mkdir -p "target/bench-build/$sha-$profile"
      cp -r "$WORK/target/cargo-timings/." "target/bench-build/$sha-$profile/"
    fi
    rm -rf "$WORK/target"
  done
  read -r _ rw rc <<<"$rel"
  read -r _ dw dc <<<"$dbg"
  echo "| $sha | $rw | $rc | $dw | $dc |"
  rm -rf "$src"
done
