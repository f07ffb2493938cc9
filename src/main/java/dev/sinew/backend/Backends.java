package dev.sinew.backend;

/** Chooses a backend. */
public final class Backends {
    private Backends() {}

    /**
     * The default backend: native. If its libraries cannot be loaded this throws an
     * {@link IllegalStateException} that says what was tried; there is no silent fallback to the
     * (much slower) reference backend — ask for it explicitly with {@link #reference()}.
     */
    public static Backend defaultBackend() {
        return NativeBackend.get();
    }

    public static Backend nativeBackend() {
        return NativeBackend.get();
    }

    public static Backend reference() {
        return ReferenceBackend.get();
    }
}
