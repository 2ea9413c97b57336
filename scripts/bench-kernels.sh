#!/usr/bin/env bash
# GFLOP/s of conv2d forward/backward against OpenBLAS GEMM at LeNet-5 and VGG-CIFAR shapes (batch 128).
# Not part of mvn verify.   scripts/bench-kernels.sh [THREADS] [SECONDS_PER_MEASUREMENT]
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -q -DskipTests install -pl engine -am >/dev/null
mvn -q -pl engine test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.cp >/dev/null
java -cp "engine/target/test-classes:engine/target/classes:$(cat engine/target/bench.cp)" io.jtrain.bench.KernelBench "$@"
