#!/usr/bin/env bash
# The doctor's extended evaluation (docs/diagnosis.md, "Evaluation"): every job of EvalSuite — 11 fault kinds x
# 3 data sets x 2 architectures x 2 magnitudes x 3 seeds, and the healthy look-alikes — through jtrain doctor's
# engine, on the CPU. Writes tests/target/doctor-eval.md (figures on the held-out half and on all jobs, and every
# job's findings). About 18 minutes on a 2-core machine; outside mvn verify (which runs one job per kind).
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -q -o -DskipTests install 2>/dev/null || mvn -q -DskipTests install
mvn -q -o -pl tests test -Dtest='DoctorEvaluationTest#fullSuite' -DexcludedTestGroups=gpu,benchmark \
  -Dsurefire.failIfNoSpecifiedTests=false
echo "report: tests/target/doctor-eval.md"
