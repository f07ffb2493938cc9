package dev.sinew.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The {@code --model} option of the commands that use a saved model. */
final class ModelFileOption {
    @Option(names = "--model", defaultValue = "sinew-out/model.zip", description = "Saved model (default: ${DEFAULT-VALUE})")
    Path model;
}
