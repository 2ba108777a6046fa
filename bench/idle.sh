#!/usr/bin/env bash
# Idle-scale benchmark: builds the jars, then runs IdleBench against the real wa-hub.jar.
# Options: --instances 10000 --parallel 16 --idle-seconds 60 --settle-seconds 10 --jvm "-Xmx1g" --histo 12
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -DskipTests package
exec java -cp bench/target/wa-hub-bench.jar org.wahub.bench.IdleBench "$@"
