package io.jtrain.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.jtrain.backend.cuda.ConvAlgorithms.Candidate;
import io.jtrain.tensor.Shape;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The choice among cuDNN's ranked algorithms, and the NCHW descriptor mapping, without a GPU. */
class ConvAlgorithmsTest {
    private static final List<Candidate> RANKED = List.of(
        new Candidate(6, 0, 1L << 30, 1, 0),   // fastest, but needs 1 GiB
        new Candidate(1, 0, 4096, 1, 1),       // tensor-op math: TF32 would not match the CPU
        new Candidate(7, 9, 0, 1, 0),          // status != 0: not supported for this shape
        new Candidate(0, 0, 2048, 0, 3),       // non-deterministic, FMA
        new Candidate(3, 0, 8192, 1, 0));      // deterministic, default math

    @Test
    void firstQualifyingEntryWins() {
        assertEquals(6, ConvAlgorithms.choose(RANKED, 2L << 30, false).algo());
        assertEquals(0, ConvAlgorithms.choose(RANKED, 1 << 20, false).algo());
    }

    @Test
    void deterministicSkipsNonDeterministicAlgorithms() {
        assertEquals(3, ConvAlgorithms.choose(RANKED, 1 << 20, true).algo());
    }

    @Test
    void noneWhenNothingFits() {
        assertNull(ConvAlgorithms.choose(RANKED, 1024, false));
    }

    @Test
    void descriptorShapes() {
        assertEquals(List.of(2, 3, 5, 7), box(CudnnSpatialOps.nchw(Shape.of(2, 3, 5, 7))));
        assertEquals(List.of(32, 10, 1, 1), box(CudnnSpatialOps.nchw(Shape.of(32, 10))));
        assertEquals(List.of(1, 1, 1, 99), box(CudnnSpatialOps.nchw(Shape.of(99))));
    }

    private static List<Integer> box(int[] a) {
        return java.util.Arrays.stream(a).boxed().toList();
    }
}
