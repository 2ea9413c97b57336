package io.jtrain.backend.cuda;

import java.util.List;

/**
 * Picks a cuDNN convolution algorithm from the ranked list that {@code cudnnGet…Algorithm_v7} returns
 * (heuristics; nothing is run). The first entry wins that succeeded, fits the workspace limit, does not use
 * tensor cores (TF32/FP16 math would not match the CPU backend) and, with {@code --deterministic}, is
 * deterministic. Pure logic, unit-tested without a GPU.
 */
final class ConvAlgorithms {
    /** cudnnMathType: CUDNN_TENSOR_OP_MATH and CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION. */
    static final int TENSOR_OP = 1;
    static final int TENSOR_OP_CONVERSION = 2;
    /** cudnnMathType.CUDNN_FMA_MATH. */
    static final int FMA = 3;
    /** cudnnDeterminism.CUDNN_DETERMINISTIC. */
    static final int DETERMINISTIC = 1;

    private ConvAlgorithms() { }

    /** One entry of a cuDNN performance list (the fields every *AlgoPerf struct has). */
    record Candidate(int algo, int status, long memory, int determinism, int mathType) { }

    /** The chosen algorithm's entry, or {@code null} when none qualifies. */
    static Candidate choose(List<Candidate> ranked, long limitBytes, boolean deterministic) {
        for (Candidate c : ranked) {
            if (c.status() == 0 && c.memory() <= limitBytes && c.mathType() != TENSOR_OP
                && c.mathType() != TENSOR_OP_CONVERSION && (!deterministic || c.determinism() == DETERMINISTIC)) {
                return c;
            }
        }
        return null;
    }

    /** The three choices for one convolution shape and the workspace they need (the largest of the three). */
    record Choice(int forward, int backwardData, int backwardFilter, long workspaceBytes) { }
}
