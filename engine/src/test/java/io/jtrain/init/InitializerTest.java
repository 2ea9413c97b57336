package io.jtrain.init;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Initialisers: ranges and standard deviations from their fans, and seeded reproducibility. */
class InitializerTest {

    /** kind, fanIn, fanOut, expected std (uniform limit L has std L/sqrt(3)). */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"glorot_uniform, 300, 100, 0.0707107", "glorot_normal, 300, 100, 0.0707107",
        "he_uniform, 200, 50, 0.1", "he_normal, 200, 50, 0.1", "lecun_uniform, 400, 10, 0.05",
        "lecun_normal, 400, 10, 0.05"})
    void standardDeviationFollowsTheFans(String kind, int fanIn, int fanOut, double std) {
        Initializer init = Initializer.of(Initializer.parse(kind));
        float[] v = new float[200_000];
        init.fill(v, fanIn, fanOut, new SplittableRandom(1));
        double s = 0;
        double sq = 0;
        float max = 0;
        for (float x : v) {
            s += x;
            sq += x * x;
            max = Math.max(max, Math.abs(x));
        }
        double mean = s / v.length;
        assertEquals(0, mean, std * 0.02);
        assertEquals(std, Math.sqrt(sq / v.length - mean * mean), std * 0.02);
        if (kind.endsWith("uniform")) {
            assertTrue(max <= std * Math.sqrt(3) + 1e-6, "uniform bound");
        }
        float[] again = new float[200_000];
        init.fill(again, fanIn, fanOut, new SplittableRandom(1));
        assertArrayEquals(v, again, "same seed, same values");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"zeros, 0", "xavier_uniform, -1"})
    void constantsAndAliases(String kind, float value) {
        Initializer.Kind k = Initializer.parse(kind);
        if (k == Initializer.Kind.ZEROS) {
            float[] v = {1, 2};
            Initializer.of(k).fill(v, 1, 1, new SplittableRandom(1));
            assertArrayEquals(new float[] {0, 0}, v);
            float[] c = new float[3];
            new Initializer(Initializer.Kind.CONSTANT, 0.5f).fill(c, 1, 1, new SplittableRandom(1));
            assertArrayEquals(new float[] {0.5f, 0.5f, 0.5f}, c);
        } else {
            assertEquals(Initializer.Kind.GLOROT_UNIFORM, k);
        }
    }

    static double[] meanStd(float[] v) {
        double s = 0;
        double sq = 0;
        for (float x : v) {
            s += x;
            sq += (double) x * x;
        }
        double m = s / v.length;
        return new double[] {m, Math.sqrt(sq / v.length - m * m)};
    }

    @org.junit.jupiter.api.Test
    void explicitDistributionsHaveTheirParameters() {
        float[] v = new float[200_000];
        Initializer.parseSpec("normal(0.5, 0.2)").fill(v, 10, 10, new SplittableRandom(3));
        double[] ms = meanStd(v);
        assertEquals(0.5, ms[0], 0.005);
        assertEquals(0.2, ms[1], 0.004);
        Initializer.parseSpec("uniform(-0.1, 0.3)").fill(v, 10, 10, new SplittableRandom(3));
        float min = Float.MAX_VALUE;
        float max = -Float.MAX_VALUE;
        for (float x : v) {
            min = Math.min(min, x);
            max = Math.max(max, x);
        }
        assertTrue(min >= -0.1f && max <= 0.3f && min < -0.09f && max > 0.29f, min + " " + max);
        assertEquals(0.1, meanStd(v)[0], 0.003);
        Initializer.parseSpec("truncated_normal(0.02)").fill(v, 10, 10, new SplittableRandom(3));
        for (float x : v) {
            assertTrue(Math.abs(x) <= 0.04f, "truncated at two deviations: " + x);
        }
        assertEquals(0.02 * 0.8796, meanStd(v)[1], 0.0005, "the deviation of a normal truncated at 2 sigma");
        Initializer.parseSpec("0.5").fill(v, 1, 1, new SplittableRandom(1));
        assertEquals(0.5f, v[7]);
        Initializer.parseSpec("constant(-2)").fill(v, 1, 1, new SplittableRandom(1));
        assertEquals(-2f, v[3]);
    }

    @org.junit.jupiter.api.Test
    void badSpecificationsSayWhatIsAllowed() {
        for (String[] bad : new String[][] {{"normal(0)", "two numbers"}, {"normal(0, -1)", "negative"},
            {"uniform(1, 0)", "low must not exceed high"}, {"truncated_normal(0)", "positive"}, {"normal", "needs its "
                + "parameters"}, {"gaussian", "allowed"}, {"normal(a, 1)", "not a number"}}) {
            IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> Initializer.parseSpec(bad[0]));
            assertTrue(e.getMessage().contains(bad[1]), bad[0] + ": " + e.getMessage());
        }
    }
}
