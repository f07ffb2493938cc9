package dev.sinew.tensor;

/** Checks on {@code float[][]} data before it is copied off-heap. */
public final class Rows {
    private Rows() {}

    /**
     * The common row length of a rectangular, non-empty {@code float[][]}; otherwise an
     * {@link IllegalArgumentException} naming {@code what} ("x", "y") and the first bad row.
     */
    public static int width(float[][] rows, String what) {
        if (rows == null) {
            throw new IllegalArgumentException(what + " is null");
        }
        if (rows.length == 0) {
            throw new IllegalArgumentException(what + " has no rows (a batch needs at least one sample)");
        }
        if (rows[0] == null) {
            throw new IllegalArgumentException(what + " row 0 is null");
        }
        int width = rows[0].length;
        for (int r = 1; r < rows.length; r++) {
            if (rows[r] == null) {
                throw new IllegalArgumentException(what + " row " + r + " is null");
            }
            if (rows[r].length != width) {
                throw new IllegalArgumentException(what + " is ragged: row 0 has " + width
                        + " values but row " + r + " has " + rows[r].length);
            }
        }
        return width;
    }

    /** The first (row, column) of a NaN or infinite value, or null when all are finite. */
    public static int[] firstNonFinite(float[][] rows) {
        return firstNonFinite(rows, 0, rows.length);
    }

    /** The first (row, column) of a NaN or infinite value in rows [from, to), or null when all are finite. */
    public static int[] firstNonFinite(float[][] rows, int from, int to) {
        for (int r = from; r < to; r++) {
            for (int c = 0; c < rows[r].length; c++) {
                if (!Float.isFinite(rows[r][c])) {
                    return new int[] {r, c};
                }
            }
        }
        return null;
    }
}
