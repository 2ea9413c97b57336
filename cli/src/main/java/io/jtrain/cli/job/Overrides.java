package io.jtrain.cli.job;

/** Command-line flags that override the job file; null means "not given". */
public record Overrides(String preset, String data, String dataDir, Integer epochs, String batchSize, Double lr,
                        String device, Long seed, String out) {
    public static Overrides none() {
        return new Overrides(null, null, null, null, null, null, null, null, null);
    }
}
