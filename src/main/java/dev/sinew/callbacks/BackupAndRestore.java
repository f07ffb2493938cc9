package dev.sinew.callbacks;

import dev.sinew.models.Model;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Keras's {@code BackupAndRestore(backup_dir, delete_checkpoint=True)}: at the end of every epoch
 * the whole training state (weights, optimizer state and iterations, random-number state, epoch)
 * is saved to {@code backup_dir/backup.zip}, atomically; when {@code fit} starts and a backup is
 * there (the previous run was killed), the model is restored from it and training continues at
 * the epoch after it, ending with exactly the weights an uninterrupted run would have. After a
 * run that completes, the backup is deleted (unless {@code deleteCheckpoint} is false).
 * <pre>{@code
 * net.fit(x, y, FitOptions.builder().epochs(30).callbacks(new BackupAndRestore(Path.of("backup"))).build());
 * }</pre>
 */
public final class BackupAndRestore implements Callback {
    private final Path backupDir;
    private final boolean deleteCheckpoint;
    private Model model;
    private int resumeAt = -1;

    public BackupAndRestore(Path backupDir) {
        this(backupDir, true);
    }

    public BackupAndRestore(Path backupDir, boolean deleteCheckpoint) {
        if (backupDir == null) throw new IllegalArgumentException("BackupAndRestore: backup_dir is null");
        this.backupDir = backupDir;
        this.deleteCheckpoint = deleteCheckpoint;
    }

    /** The backup file: {@code backup_dir/backup.zip}. */
    public Path backupFile() {
        return backupDir.resolve("backup.zip");
    }

    @Override
    public void setModel(Model model) {
        this.model = model;
    }

    @Override
    public void onTrainBegin(int epochs, int stepsPerEpoch) {
        resumeAt = -1;
        if (!Files.isRegularFile(backupFile())) return;
        try {
            model.restoreFrom(backupFile());
        } catch (IOException e) {
            throw new UncheckedIOException("BackupAndRestore: cannot resume from " + backupFile() + ": " + e.getMessage(), e);
        }
        resumeAt = model.epoch();
    }

    @Override
    public int resumeEpoch() {
        return resumeAt;
    }

    @Override
    public void onEpochEnd(int epoch, Map<String, Double> logs) {
        try {
            Files.createDirectories(backupDir);
            model.save(backupFile()); // atomic: a kill mid-save leaves the previous backup whole
        } catch (IOException e) {
            throw new UncheckedIOException("BackupAndRestore: cannot write " + backupFile() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void onTrainEnd(Map<String, Double> logs) {
        if (!deleteCheckpoint) return;
        try {
            Files.deleteIfExists(backupFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
