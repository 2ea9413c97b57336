#!/usr/bin/env bash
# The GPU step budget, measured without a GPU on the recording fake device (docs/gpu.md): lenet5 and cnn-bn
# at batch 64 and 256, with jtrain's kernels and with a mocked cuDNN, live monitor on, clip_norm 1.0.
# Prints exactly 8 lines to standard output, one JSON object each (logs go to standard error):
#   {"model", "batch", "cudnn", "launches_per_step", "blocking_syncs_per_step", "h2d_copies_per_step",
#    "d2h_copies_per_step", "device_allocs_after_step1"}, each the maximum over steps 2-11.
# Uses cli/target/jtrain.jar (or $JTRAIN_JAR); builds it first if it is missing (add about a minute).
set -euo pipefail
cd "$(dirname "$0")/.."
jar=${JTRAIN_JAR:-cli/target/jtrain.jar}
if [ ! -f "$jar" ]; then
  echo "building $jar (mvn -q -DskipTests package)" >&2
  mvn -q -B -DskipTests package >&2
fi
exec java -Xmx1g -cp "$jar" io.jtrain.verify.StepBudget
