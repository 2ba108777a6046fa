#!/usr/bin/env bash
# Drain benchmark: builds the jars, then runs DrainBench against the real wa-hub.jar.
# Options: --instances 20 --backlog 500 --rate 200 --seconds 15
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -DskipTests package
exec java -cp bench/target/wa-hub-bench.jar org.wahub.bench.DrainBench "$@"
