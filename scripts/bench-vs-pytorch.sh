#!/usr/bin/env bash
# Training throughput (samples/s, steady state) of jtrain (jtrain bench; oneDNN on, and its own path with --onednn
# off), PyTorch (Debian's python3-torch 1.13) and DJL 0.32 on PyTorch 2.5.1 (bench/djl), each at 1 and 2 threads,
# on the same models, optimizers and batch sizes, side by side in one run; the median of REPS runs of each; the
# ratio compares jtrain's best configuration with the best peer's. DJL is skipped (with a line saying so) when
# bench/djl cannot be built (its jars are fetched from the Maven repository once). OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE are unset for every engine, as
# on a user's machine, and so are OMP_WAIT_POLICY and GOMP_SPINCOUNT: every engine's OpenMP threads keep OpenMP's
# default (spin a few ms, then sleep). jtrain runs through bin/jtrain, as users run it (OMP_NUM_THREADS = its
# thread count); PyTorch and DJL with their own thread settings. The script stops when PyTorch loads the
# reference BLAS instead of an optimised one (it would be 10-20x slower). Not part of mvn verify.
# Each engine warms up for as many steps as it is then timed for: the JVM's JIT needs thousands of calls before
# the small models' Java loops run at steady state (30 steps of dlfs measure the interpreter, not jtrain).
#   scripts/bench-vs-pytorch.sh [REPS] [MODELS]     MODELS: name:batch:steps, e.g. "lenet5:128:60"
set -euo pipefail
cd "$(dirname "$0")/.."
reps="${1:-3}"
models="${2:-dlfs:60:3000 mlp:128:600 lenet5:128:80 cnn-bn:128:20}"
[ -f cli/target/jtrain.jar ] || mvn -q -DskipTests package
djl_cp=""
if (cd bench/djl && mvn -q compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt >/dev/null 2>&1 \
    || mvn -q -o compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt >/dev/null 2>&1); then
  djl_cp="bench/djl/target/classes:$(cat bench/djl/target/cp.txt)"
else
  echo "DJL: bench/djl could not be built (its jars are not in the Maven repository); its columns are 0" >&2
fi
run() { env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE -u OMP_WAIT_POLICY -u GOMP_SPINCOUNT "$@"; }
jtrain() { # threads onednn model batch (through bin/jtrain, with the environment it gives every user)
  run JTRAIN_THREADS="$1" OMP_NUM_THREADS="$1" bin/jtrain bench --preset "$3" --batch-size "$4" \
    --steps "$steps" --warmup "$steps" --device cpu --onednn "$2" --json 2>/dev/null \
    | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["train_samples_per_s"])'
}
torch() { # threads model batch
  run /usr/bin/python3 tests/pytorch/bench_torch.py "$2" "$3" "$1" "$steps" "$steps" \
    | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["train_samples_per_s"])'
}
djl() { # threads model batch
  if [ -z "$djl_cp" ]; then echo 0; return; fi
  run java -Doffline=true -Dai.djl.pytorch.num_threads="$1" -Dai.djl.pytorch.num_interop_threads=1 -cp "$djl_cp" \
    io.jtrain.djlbench.DjlBench "$2" "$3" "$steps" "$steps" 2>/dev/null | tail -1 \
    | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["train_samples_per_s"])'
}
blas=$(run /usr/bin/python3 tests/pytorch/bench_torch.py dlfs 60 1 1 1 \
  | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["blas"])')
case "$blas" in
  *openblas*|*mkl*|*blis*) echo "PyTorch's BLAS: ${blas##*, }" >&2 ;;
  *) echo "PyTorch loads the reference BLAS ($blas): its matrix products would be 10-20x slow and every" \
       "ratio meaningless; install an optimised one (Debian: apt-get install libopenblas0-pthread)" >&2; exit 1 ;;
esac
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
printf "%-7s %5s %9s %9s %9s %9s %9s %9s %9s %9s %6s\n" model batch j_dnn_1 j_dnn_2 j_plain_1 j_plain_2 \
  torch_1 torch_2 djl_1 djl_2 ratio
for spec in $models; do
  IFS=: read -r m b steps <<< "$spec"
  declare -A r=()
  for i in $(seq "$reps"); do
    r[d1]+="$(jtrain 1 auto "$m" "$b") "; r[d2]+="$(jtrain 2 auto "$m" "$b") "
    r[p1]+="$(jtrain 1 off "$m" "$b") "; r[p2]+="$(jtrain 2 off "$m" "$b") "
    r[t1]+="$(torch 1 "$m" "$b") "; r[t2]+="$(torch 2 "$m" "$b") "
    r[k1]+="$(djl 1 "$m" "$b") "; r[k2]+="$(djl 2 "$m" "$b") "
  done
  d1=$(median ${r[d1]}); d2=$(median ${r[d2]}); p1=$(median ${r[p1]}); p2=$(median ${r[p2]})
  t1=$(median ${r[t1]}); t2=$(median ${r[t2]}); k1=$(median ${r[k1]}); k2=$(median ${r[k2]})
  /usr/bin/python3 -c "
d1,d2,p1,p2,t1,t2,k1,k2=$d1,$d2,$p1,$p2,$t1,$t2,$k1,$k2
print('%-7s %5s %9.0f %9.0f %9.0f %9.0f %9.0f %9.0f %9.0f %9.0f %6.2f' % ('$m', $b, d1, d2, p1, p2, t1, t2, k1, k2,
      max(d1,d2,p1,p2)/max(t1,t2,k1,k2)))"
  unset r
done
