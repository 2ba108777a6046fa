#!/usr/bin/env bash
# Reliability proof harness (Jepsen-style bookkeeping) against the real wa-hub.jar: kill -9 during
# drain, key continuity across crashes, the rolling-window invariant across restarts, PostgreSQL
# down and back, >= 10,000 malformed requests, SIGTERM with sends in flight. Prints one summary
# table; details, violations and every hub log land under bench/out/reliability-<mode>-<time>-<seed>/.
# Exit code 1 when an invariant was violated.
#
#   bench/reliability.sh                      # long mode (>= 20 kill cycles, 50,000 fuzz cases; ~15 min)
#   bench/reliability.sh --mode ci            # the CI run (what mvn -B verify runs; ~2-3 min)
#   bench/reliability.sh --seed 42 --scenarios kill9,sigterm --killCycles 40
# Every field of org.wahub.bench.reliability.Settings can be set as --name value.
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -DskipTests package
exec java -cp bench/target/wa-hub-bench.jar org.wahub.bench.reliability.Harness --mode long "$@"
