#!/usr/bin/env bash
# Durable-accept benchmark: builds the jars, then runs IntakeBench against the real wa-hub.jar.
# Options: --seconds 20 --clients 256 --rate 1000 --instances 8
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -DskipTests package
exec java -cp bench/target/wa-hub-bench.jar org.wahub.bench.IntakeBench "$@"
