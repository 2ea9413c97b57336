#!/usr/bin/env bash
# Builds the PTX of every kernel family with nvcc (13.x emits PTX ISA 9.0, which CUDA 12 drivers reject),
# lowers the ISA version to 8.0 (CUDA 12.0; see ../shared/design/GPU.md §4) and writes it to
# src/main/resources/io/jtrain/cuda/, where it is committed. Then records the SHA-256 of every source it
# was built from in ptx.sha256, which PtxFreshnessTest compares with the sources in every `mvn verify`
# (a .cu changed without rebuilding its PTX fails the build). Run after changing a .cu or .cuh file.
set -euo pipefail
cd "$(dirname "$0")"
out=src/main/resources/io/jtrain/cuda
mkdir -p "$out"
for cu in src/main/cuda/*.cu; do
  name=$(basename "$cu" .cu)
  nvcc -ptx -arch=compute_75 -O3 -o "$out/$name.ptx" "$cu"
  sed -i 's/^\.version [0-9.]*/.version 8.0/' "$out/$name.ptx"
  echo "built $out/$name.ptx"
done
(cd src/main/cuda && sha256sum ./*.cuh ./*.cu) > ptx.sha256
echo "recorded the sources' SHA-256 in ptx.sha256"
