#!/usr/bin/env bash
# Training throughput (samples/s, steady state) of jtrain (jtrain bench; oneDNN convolutions on, and the plain
# im2col + GEMM path with --onednn off) and PyTorch (Debian's python3-torch), each at 1 and 2 threads, on the same
# models and batch sizes, side by side in one run; the median of REPS runs of each; the ratio compares jtrain's
# best configuration with PyTorch's best. OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE are unset for every engine, as
# on a user's machine. Not part of mvn verify.
# Each engine warms up for as many steps as it is then timed for: the JVM's JIT needs thousands of calls before
# the small models' Java loops run at steady state (30 steps of dlfs measure the interpreter, not jtrain).
#   scripts/bench-vs-pytorch.sh [REPS] [MODELS]     MODELS: name:batch:steps, e.g. "lenet5:128:60"
set -euo pipefail
cd "$(dirname "$0")/.."
reps="${1:-3}"
models="${2:-dlfs:60:3000 mlp:128:600 lenet5:128:80 cnn-bn:128:20}"
[ -f cli/target/jtrain.jar ] || mvn -q -DskipTests package
run() { env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OMP_WAIT_POLICY=passive "$@"; }
jtrain() { # threads onednn model batch
  run JTRAIN_THREADS="$1" OMP_NUM_THREADS="$1" java -jar cli/target/jtrain.jar bench --preset "$3" --batch-size "$4" \
    --steps "$steps" --warmup "$steps" --device cpu --onednn "$2" --json 2>/dev/null \
    | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["train_samples_per_s"])'
}
torch() { # threads model batch
  run /usr/bin/python3 tests/pytorch/bench_torch.py "$2" "$3" "$1" "$steps" "$steps" \
    | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["train_samples_per_s"])'
}
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
printf "%-7s %5s %10s %10s %10s %10s %10s %10s %7s\n" model batch j_dnn_1 j_dnn_2 j_plain_1 j_plain_2 torch_1 \
  torch_2 ratio
for spec in $models; do
  IFS=: read -r m b steps <<< "$spec"
  declare -A r=()
  for i in $(seq "$reps"); do
    r[d1]+="$(jtrain 1 auto "$m" "$b") "; r[d2]+="$(jtrain 2 auto "$m" "$b") "
    r[p1]+="$(jtrain 1 off "$m" "$b") "; r[p2]+="$(jtrain 2 off "$m" "$b") "
    r[t1]+="$(torch 1 "$m" "$b") "; r[t2]+="$(torch 2 "$m" "$b") "
  done
  d1=$(median ${r[d1]}); d2=$(median ${r[d2]}); p1=$(median ${r[p1]}); p2=$(median ${r[p2]})
  t1=$(median ${r[t1]}); t2=$(median ${r[t2]})
  /usr/bin/python3 -c "
d1,d2,p1,p2,t1,t2=$d1,$d2,$p1,$p2,$t1,$t2
print('%-7s %5s %10.0f %10.0f %10.0f %10.0f %10.0f %10.0f %7.2f' % ('$m', $b, d1, d2, p1, p2, t1, t2,
      max(d1,d2,p1,p2)/max(t1,t2)))"
  unset r
done
