package io.jtrain.e2e;

import java.nio.file.Path;

/** Paths of the source tree, for tests outside the e2e package. */
public final class TestPaths {
    private TestPaths() { }

    public static Path root() {
        return Cli.root();
    }
}
