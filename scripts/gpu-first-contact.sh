#!/usr/bin/env bash
# The first contact of jtrain with a real NVIDIA GPU, in one command, offline, from a prebuilt jar:
#   scripts/gpu-first-contact.sh [OUTDIR]        (jar: cli/target/jtrain.jar, or $JTRAIN_JAR)
# Steps, in order of importance, each under a hard timeout and skipped when the remaining budget is too
# small for it (the whole run stays under 5 minutes; a watchdog ends it at 6):
#   1. inventory: nvidia-smi, the ldconfig view of libcuda/libcublas/libcudnn, jtrain devices --json
#   2. jtrain selftest --cudnn off with CUDA_LAUNCH_BLOCKING=1 and JTRAIN_CUDA_SYNC=1 (every op, edge cases:
#      more than 2^31 elements and a real out-of-memory, per-op throughput, 20 training steps, copy counts)
#   3. jtrain selftest (jtrain's kernels, then cuDNN when usable; --skip-edge-cases)
#   4. jtrain bench on the CPU and on the GPU for lenet5 and cnn-bn (training and inference samples/s)
#   5. one --device auto epoch of the README's main job
#   6. compute-sanitizer memcheck and racecheck of a short self-test, when compute-sanitizer is installed
# Everything goes to OUTDIR (default: $OUT if set, else gpu-first-contact-DATE): one log per step and
# summary.txt, which is also printed at the end. Exit code 0 when every step that ran succeeded.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jar="${JTRAIN_JAR:-$here/cli/target/jtrain.jar}"
out="${1:-${OUT:-$here/gpu-first-contact-$(date +%Y%m%d-%H%M%S)}}"
budget=${FIRST_CONTACT_BUDGET:-300}
mkdir -p "$out"
summary="$out/summary.txt"
start=$(date +%s)
failed=0
: >"$summary"

if [ ! -f "$jar" ]; then
  echo "gpu-first-contact: $jar is missing; build it where Maven works (mvn -q -DskipTests package) and copy it" >&2
  exit 2
fi
# the watchdog: whatever happens, the run ends after budget + 60 s
main=$$
( sleep $((budget + 60)); echo "watchdog: stopped after $((budget + 60)) s" >>"$summary"; pkill -TERM -P "$main"
  kill -TERM "$main" ) >/dev/null 2>&1 &
watchdog=$!
trap 'pkill -P $watchdog 2>/dev/null; kill $watchdog 2>/dev/null' EXIT

java_cmd=(java -Xmx8g -Djava.awt.headless=true -jar "$jar")
remaining() { echo $((budget - ($(date +%s) - start))); }

# step NAME TIMEOUT_S COMMAND...: runs COMMAND with a timeout into NAME.log and records one summary line
step() {
  local name=$1 limit=$2
  shift 2
  local left
  left=$(remaining)
  if [ "$left" -lt "$limit" ]; then
    printf '%-28s skipped (needs %s s, %s s of the budget left)\n' "$name" "$limit" "$left" | tee -a "$summary"
    return 0
  fi
  local t0 rc
  t0=$(date +%s)
  timeout --kill-after=10 "$limit" "$@" >"$out/$name.log" 2>&1
  rc=$?
  local secs=$(( $(date +%s) - t0 ))
  local status=ok
  if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then status="TIMED OUT after $limit s"; failed=1
  elif [ $rc -ne 0 ]; then status="FAILED (exit $rc)"; failed=1; fi
  printf '%-28s %-24s %4d s\n' "$name" "$status" "$secs" | tee -a "$summary"
}

# the last non-empty lines of a log, indented, into the summary
tail_of() {
  local name=$1 n=${2:-1}
  [ -f "$out/$name.log" ] && grep -v '^\s*$' "$out/$name.log" | tail -n "$n" | sed 's/^/    /' | tee -a "$summary"
}

# 1. inventory
step inventory 20 bash -c '
  echo "== nvidia-smi"; nvidia-smi 2>&1 || echo "nvidia-smi not available"
  echo "== ldconfig"; ldconfig -p 2>/dev/null | grep -E "libcuda\.so|libcublas|libcudnn|libnvrtc" || echo "none found"
  echo "== LD_LIBRARY_PATH=${LD_LIBRARY_PATH:-}"
  echo "== java"; java -version 2>&1
  echo "== jtrain devices --json"; "$@" devices --json' _ "${java_cmd[@]}"
grep -E "Driver Version|CUDA Version" "$out/inventory.log" | head -2 | sed 's/^/    /' | tee -a "$summary"

# 2. self-test on jtrain's kernels, every launch synchronised so a fault names its kernel
step selftest-kernels-sync 100 env CUDA_LAUNCH_BLOCKING=1 JTRAIN_CUDA_SYNC=1 "${java_cmd[@]}" selftest --cudnn off
grep -E "MISMATCH|ERROR|skipped" "$out/selftest-kernels-sync.log" | head -10 | sed 's/^/    /' | tee -a "$summary"
tail_of selftest-kernels-sync 1

# 3. self-test with cuDNN (when its probe passes)
step selftest-cudnn 100 "${java_cmd[@]}" selftest --skip-edge-cases
grep -E "MISMATCH|ERROR|== with cuDNN" "$out/selftest-cudnn.log" | head -10 | sed 's/^/    /' | tee -a "$summary"
tail_of selftest-cudnn 1

# 4. CPU vs GPU throughput through the training loop users run
for model in lenet5 cnn-bn; do
  for dev in cpu cuda; do
    step "bench-$model-$dev" 35 "${java_cmd[@]}" bench --preset "$model" --batch-size 128 --device "$dev" \
      --warmup 10 --steps 30
    tail_of "bench-$model-$dev" 4
  done
done

# 5. the README's main job for one epoch, letting --device auto decide
step train-auto-1-epoch 45 "${java_cmd[@]}" train --epochs 1 --out "$out/run" --force
grep -E "^device:|^test:" "$out/train-auto-1-epoch.log" | sed 's/^/    /' | tee -a "$summary"

# 6. compute-sanitizer, when installed (slow: short runs only)
if command -v compute-sanitizer >/dev/null 2>&1; then
  for tool in memcheck racecheck; do
    step "sanitizer-$tool" 40 compute-sanitizer --tool "$tool" --target-processes all --print-limit 20 \
      "${java_cmd[@]}" selftest --cudnn off --skip-edge-cases
    grep -E "ERROR SUMMARY|RACECHECK SUMMARY|Invalid" "$out/sanitizer-$tool.log" | head -5 | sed 's/^/    /' \
      | tee -a "$summary"
  done
else
  echo "sanitizer                    skipped (compute-sanitizer not installed)" | tee -a "$summary"
fi

echo "total: $(( $(date +%s) - start )) s; logs in $out" | tee -a "$summary"
exit $failed
