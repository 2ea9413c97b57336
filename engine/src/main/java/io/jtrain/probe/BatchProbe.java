package io.jtrain.probe;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * The batch-size search: double from {@code start} until the first failure (never above {@code max}),
 * bisect to a granularity of one sample between the last fit and the first failure, then confirm the
 * largest fit with a second trial (memory need not grow monotonically with the batch size); when the
 * confirmation fails, the next smaller fitting size is confirmed instead. Recommends, among the sizes at or
 * below {@code (1 - margin)} of the largest fit and at most the size the data warrants ({@code
 * recommendAtMost}: a tenth of the training set, so an epoch has at least ten steps), the smallest whose
 * median throughput is within {@link #PLATEAU_GAIN} of the fastest — so that noise between near-equal sizes
 * does not decide — and reports the plateau: the first size at which doubling gained less than
 * {@link #PLATEAU_GAIN}.
 */
public final class BatchProbe {
    /** A doubling that gains less than this fraction of samples/s is a plateau. */
    public static final double PLATEAU_GAIN = 0.05;
    /** Default safety margin below the largest fit. */
    public static final double DEFAULT_MARGIN = 0.10;

    private final Trial trial;
    private final List<TrialResult> trials = new ArrayList<>();
    private final TreeMap<Integer, TrialResult> bySize = new TreeMap<>();
    private final int recommendAtMost;

    public BatchProbe(Trial trial) {
        this(trial, Integer.MAX_VALUE);
    }

    /** @param recommendAtMost the largest size worth recommending for the data (a tenth of the training set) */
    public BatchProbe(Trial trial, int recommendAtMost) {
        this.trial = trial;
        this.recommendAtMost = Math.max(1, recommendAtMost);
    }

    /** Runs the search. {@code max} caps the sizes tried (the training-set size and --max). */
    public ProbeResult search(int start, int max, double margin, Integer target, long capacity) {
        if (start < 1 || max < 1) {
            throw new io.jtrain.util.UsageException("start and max batch sizes must be at least 1");
        }
        if (margin < 0 || margin >= 1) {
            throw new io.jtrain.util.UsageException("margin must be in [0, 1), got " + margin);
        }
        int lastFit = 0;
        int firstFail = 0;
        for (int b = Math.min(start, max); ; b = (int) Math.min((long) b * 2, max)) {
            if (run(b).fits()) {
                lastFit = b;
                if (b == max) {
                    break;
                }
            } else {
                firstFail = b;
                break;
            }
        }
        if (lastFit == 0 && firstFail > 1) {
            return bisectBelow(firstFail, margin, target, capacity);
        }
        if (firstFail > 0) {
            lastFit = bisect(lastFit, firstFail);
        }
        return finish(lastFit, margin, target, capacity);
    }

    /** Nothing fit at the start size: search [1, firstFail). */
    private ProbeResult bisectBelow(int firstFail, double margin, Integer target, long capacity) {
        if (!run(1).fits()) {
            return result(0, 0, null, margin, target, capacity, "not even batch size 1 fits in "
                + io.jtrain.util.Sizes.format(capacity));
        }
        return finish(bisect(1, firstFail), margin, target, capacity);
    }

    /** Largest fitting size in [fit, fail) given fit fits and fail fails. */
    private int bisect(int fit, int fail) {
        while (fail - fit > 1) {
            int mid = fit + (fail - fit) / 2;
            if (run(mid).fits()) {
                fit = mid;
            } else {
                fail = mid;
            }
        }
        return fit;
    }

    private ProbeResult finish(int largest, double margin, Integer target, long capacity) {
        int confirmed = largest;
        while (confirmed > 0 && !run(confirmed).fits()) {
            int failed = confirmed;
            Integer lower = bySize.headMap(failed, false).descendingMap().values().stream()
                .filter(TrialResult::fits).map(TrialResult::batchSize).findFirst().orElse(null);
            confirmed = lower == null ? 0 : bisect(lower, failed);
        }
        if (confirmed == 0) {
            return result(0, 0, null, margin, target, capacity, "no batch size fit twice");
        }
        int limit = Math.min(recommendAtMost, Math.max(1, (int) Math.floor(confirmed * (1 - margin))));
        double fastest = 0;
        for (TrialResult t : bySize.values()) {
            if (t.fits() && t.batchSize() <= limit && !Double.isNaN(t.samplesPerSecond())) {
                fastest = Math.max(fastest, t.samplesPerSecond());
            }
        }
        TrialResult best = null;
        for (TrialResult t : bySize.values()) {     // ascending sizes: the smallest near the fastest
            if (best == null && t.fits() && t.batchSize() <= limit && t.samplesPerSecond() >= fastest
                * (1 - PLATEAU_GAIN)) {
                best = t;
            }
        }
        int rec = best == null ? limit : best.batchSize();
        return result(confirmed, rec, plateau(), margin, target, capacity, null);
    }

    /** First size b (of the doubling sequence) whose double gains less than PLATEAU_GAIN. */
    private Integer plateau() {
        for (TrialResult t : bySize.values()) {
            TrialResult d = bySize.get(t.batchSize() * 2);
            if (t.fits() && d != null && d.fits() && d.samplesPerSecond() < t.samplesPerSecond() * (1 + PLATEAU_GAIN)) {
                return t.batchSize();
            }
        }
        return null;
    }

    private ProbeResult result(int max, int rec, Integer plateau, double margin, Integer target, long capacity,
                               String reason) {
        int acc = accumulation(target, rec);
        return new ProbeResult(max, rec, plateau, capacity, margin, target, acc, List.copyOf(trials), reason,
            recommendAtMost == Integer.MAX_VALUE ? null : recommendAtMost);
    }

    /** ceil(target / micro) when the target exceeds the micro-batch, else 1. */
    public static int accumulation(Integer target, int micro) {
        if (target == null || micro <= 0 || target <= micro) {
            return 1;
        }
        return (target + micro - 1) / micro;
    }

    private TrialResult run(int b) {
        TrialResult r = trial.run(b);
        trials.add(r);
        TrialResult prev = bySize.get(b);
        if (prev == null || !r.fits() || prev.fits() && r.samplesPerSecond() > prev.samplesPerSecond()) {
            bySize.put(b, prev != null && prev.fits() && r.fits() ? faster(prev, r) : r);
        }
        return r;
    }

    private static TrialResult faster(TrialResult a, TrialResult b) {
        return a.samplesPerSecond() >= b.samplesPerSecond() ? a : b;
    }
}
