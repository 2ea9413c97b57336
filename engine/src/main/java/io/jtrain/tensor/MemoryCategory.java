package io.jtrain.tensor;

/** What a block of device memory is used for; pools count current and peak bytes per category. */
public enum MemoryCategory {
    WEIGHTS("weights"),
    GRADIENTS("gradients"),
    OPTIMIZER_STATE("optimizer state"),
    ACTIVATIONS("activations"),
    WORKSPACE("workspace");

    private final String label;

    MemoryCategory(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
