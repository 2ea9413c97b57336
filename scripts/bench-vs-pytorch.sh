#!/usr/bin/env bash
# Training throughput of jtrain (jtrain bench) and PyTorch (Debian's python3-torch), each with 1 and 2
# threads (the ratio compares the best of each) on the same models, side by side in one run. Not part of mvn verify.
#   scripts/bench-vs-pytorch.sh [STEPS]
set -euo pipefail
cd "$(dirname "$0")/.."
steps="${1:-30}"
[ -f cli/target/jtrain.jar ] || mvn -q -DskipTests package
printf "%-8s %6s %12s %12s %12s %12s %8s\n" model batch jtrain_1thr jtrain_2thr torch_1thr torch_2thr ratio
for spec in dlfs:60 mlp:128 lenet5:128 cnn-bn:128; do
  m="${spec%%:*}"; b="${spec##*:}"
  j1=$(JTRAIN_THREADS=1 java -jar cli/target/jtrain.jar bench --preset "$m" --batch-size "$b" --steps "$steps" \
      --warmup 20 --device cpu --json 2>/dev/null | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["train_samples_per_s"])')
  j2=$(JTRAIN_THREADS=2 java -jar cli/target/jtrain.jar bench --preset "$m" --batch-size "$b" --steps "$steps" \
      --warmup 20 --device cpu --json 2>/dev/null | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["train_samples_per_s"])')
  t1=$(/usr/bin/python3 tests/pytorch/bench_torch.py "$m" "$b" 1 5 "$steps" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["train_samples_per_s"])')
  t2=$(/usr/bin/python3 tests/pytorch/bench_torch.py "$m" "$b" 2 5 "$steps" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["train_samples_per_s"])')
  /usr/bin/python3 -c "
j1,j2,t1,t2=$j1,$j2,$t1,$t2
print('%-8s %6s %12.0f %12.0f %12.0f %12.0f %8.2f' % ('$m', $b, j1, j2, t1, t2, max(j1,j2)/max(t1,t2)))"
done
