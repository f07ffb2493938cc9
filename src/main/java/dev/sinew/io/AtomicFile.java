package dev.sinew.io;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;

/**
 * Replaces a file all at once, so that a reader (or a crash, or {@code kill -9}) sees either the
 * old content or the complete new one, never a mix:
 * <ol>
 *   <li>the content goes to one temporary file beside the target, always the same name
 *       ({@code model.zip} &rarr; {@code model.zip.sinew-tmp}), so a save killed half-way leaves at
 *       most that one file, and the next save to the same target deletes and replaces it;</li>
 *   <li>the temporary file is forced to disk ({@code fsync}) before it is renamed over the target,
 *       so after a power loss the target is not a renamed but empty file;</li>
 *   <li>the directory is forced after the rename, so the rename itself is durable;</li>
 *   <li>an existing target keeps its POSIX permissions; a new one gets what any newly created file
 *       gets (0666 less the umask).</li>
 * </ol>
 * Saves to one target from several threads of this JVM run one after the other. Two processes
 * writing the same target at the same moment are not supported (they share the temporary name).
 */
public final class AtomicFile {
    /** Appended to the target's file name to name the temporary file. */
    public static final String TEMPORARY_SUFFIX = ".sinew-tmp";

    // Saves to one target are serialised on one of these, chosen by the target's path; a fixed
    // pool (rather than one lock per path ever saved) keeps a long-lived process from growing a map.
    private static final Object[] LOCKS = new Object[64];

    static {
        for (int i = 0; i < LOCKS.length; i++) LOCKS[i] = new Object();
    }

    private AtomicFile() {}

    /** Writes a file's content; it may close the stream or leave it open. */
    @FunctionalInterface
    public interface Content {
        void writeTo(OutputStream out) throws IOException;
    }

    /** The temporary file {@link #write} uses for {@code target}: beside it, named {@code <name>.sinew-tmp}. */
    public static Path temporaryFile(Path target) {
        return target.resolveSibling(target.getFileName() + TEMPORARY_SUFFIX);
    }

    /**
     * Writes {@code content} to {@code target}, replacing any file there only once the new content
     * is complete and on disk. If {@code content} throws, the target is untouched and the
     * temporary file removed.
     */
    public static void write(Path target, Content content) throws IOException {
        Path file = target.toAbsolutePath().normalize();
        Path dir = file.getParent();
        Files.createDirectories(dir);
        Path tmp = temporaryFile(file);
        synchronized (LOCKS[Math.floorMod(file.hashCode(), LOCKS.length)]) {
            Set<PosixFilePermission> permissions = posixPermissions(file);
            try {
                // Deleted rather than truncated: a stale file's permissions must not pass to the target.
                Files.deleteIfExists(tmp);
                try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                    OutputStream out = new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16) {
                        @Override
                        public void close() throws IOException {
                            flush(); // the channel stays open to be forced below
                        }
                    };
                    content.writeTo(out);
                    out.flush();
                    channel.force(true);
                }
                if (permissions != null) Files.setPosixFilePermissions(tmp, permissions);
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException | RuntimeException | Error e) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException cleanup) {
                    e.addSuppressed(cleanup);
                }
                throw e;
            }
            forceDirectory(dir);
        }
    }

    /**
     * Moves a complete file into place the way {@link #write} moves its temporary file: {@code
     * complete} is forced to disk, renamed over {@code target} in one step, and the directory is
     * forced. For content written by other means, such as a download's {@code .part} file; the two
     * must be in the same directory (a rename cannot cross file systems).
     */
    public static void moveIntoPlace(Path complete, Path target) throws IOException {
        Path file = target.toAbsolutePath().normalize();
        try (FileChannel channel = FileChannel.open(complete, StandardOpenOption.WRITE)) {
            channel.force(true);
        }
        Files.move(complete, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        forceDirectory(file.getParent());
    }

    /** The target's permissions, or null if there is no target yet or the file system has no POSIX permissions. */
    private static Set<PosixFilePermission> posixPermissions(Path file) throws IOException {
        try {
            return Files.getPosixFilePermissions(file);
        } catch (NoSuchFileException | UnsupportedOperationException e) {
            return null;
        }
    }

    /** Makes the rename durable; best effort, since some file systems cannot open or force a directory. */
    private static void forceDirectory(Path dir) {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            // The rename is atomic all the same; only its durability across a power loss is weaker.
        }
    }
}
