package dev.sinew.data;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A local HTTP server for download tests, on 127.0.0.1 and a free port: it serves a fixed set of
 * files by name, honours {@code Range: bytes=N-} with 206, and can misbehave in the ways a real
 * download meets ({@link Mode}). It records every request's path and Range header.
 */
final class FileServer implements AutoCloseable {
    /** How the server answers. */
    enum Mode {
        /** The file, or the asked-for range of it. */
        NORMAL,
        /** The whole file with 200, whatever Range asks. */
        IGNORE_RANGE,
        /** The file with its middle byte flipped. */
        CORRUPT,
        /** The first request gets half the file, with a Content-Length that says half; then NORMAL. */
        SHORT_ONCE,
        /** The first request is promised the whole file but the connection closes after half; then NORMAL. */
        DROP_ONCE,
        /** Never more than the first half: requests for the rest get an empty 206. */
        HALF_ONLY,
        /** The file and 10 more bytes. */
        TOO_LONG,
    }

    private static final Pattern RANGE = Pattern.compile("bytes=(\\d+)-");

    private final HttpServer server;
    private final Map<String, byte[]> files;
    private final List<String> requests = Collections.synchronizedList(new ArrayList<>());
    private volatile Mode mode = Mode.NORMAL;

    /** Serves {@code files} (name to content) under "/". */
    FileServer(Map<String, byte[]> files) throws IOException {
        this.files = Map.copyOf(files);
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    void mode(Mode m) {
        mode = m;
    }

    /** The address the files are under, ending in "/". */
    URI origin() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
    }

    /** Every request so far, as "path" or "path Range: bytes=N-". */
    List<String> requests() {
        return List.copyOf(requests);
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String name = ex.getRequestURI().getPath().substring(1);
            String range = ex.getRequestHeaders().getFirst("Range");
            boolean first = requests.isEmpty();
            requests.add(name + (range != null ? " Range: " + range : ""));
            byte[] file = files.get(name);
            if (file == null) {
                ex.sendResponseHeaders(404, -1);
                return;
            }
            Mode m = mode;
            if (m == Mode.CORRUPT) {
                file = file.clone();
                file[file.length / 2] ^= 0x55;
            }
            if (m == Mode.TOO_LONG) file = Arrays.copyOf(file, file.length + 10);
            int half = file.length / 2;
            if ((m == Mode.SHORT_ONCE || m == Mode.DROP_ONCE) && first) {
                ex.sendResponseHeaders(200, m == Mode.SHORT_ONCE ? half : file.length);
                OutputStream out = ex.getResponseBody();
                out.write(file, 0, half);
                out.flush();
                // DROP_ONCE: closing with bytes still owed makes the server drop the connection.
                return;
            }
            long from = 0;
            Matcher r = range != null ? RANGE.matcher(range) : null;
            if (r != null && r.matches() && m != Mode.IGNORE_RANGE) from = Long.parseLong(r.group(1));
            int end = m == Mode.HALF_ONLY ? half : file.length;
            if (from >= file.length) {
                ex.sendResponseHeaders(416, -1);
                return;
            }
            int start = (int) Math.min(from, end);
            if (from > 0) ex.getResponseHeaders().add("Content-Range", "bytes " + from + "-" + (file.length - 1) + "/" + file.length);
            ex.sendResponseHeaders(from > 0 ? 206 : 200, end - start == 0 ? -1 : end - start);
            ex.getResponseBody().write(file, start, end - start);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
