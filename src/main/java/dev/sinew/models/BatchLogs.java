package dev.sinew.models;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * The running logs {@code fit} hands to {@code Callback.onBatchEnd}: a read-only map of fixed
 * names to values kept as doubles and boxed only when read. A LinkedHashMap refilled every step
 * allocated its entries and boxed Doubles anew, about 110 bytes a step; with no callback reading,
 * this allocates nothing. The same instance is updated at every step, as the map it replaces was.
 */
final class BatchLogs extends AbstractMap<String, Double> {
    private final String[] names;
    private final double[] values;

    BatchLogs(String[] names) {
        this.names = names.clone();
        this.values = new double[names.length];
    }

    /** Sets the value of the {@code i}-th name. */
    void set(int i, double value) {
        values[i] = value;
    }

    @Override
    public int size() {
        return names.length;
    }

    @Override
    public Double get(Object key) {
        for (int i = 0; i < names.length; i++) if (names[i].equals(key)) return values[i];
        return null;
    }

    @Override
    public boolean containsKey(Object key) {
        for (String n : names) if (n.equals(key)) return true;
        return false;
    }

    @Override
    public Set<Entry<String, Double>> entrySet() {
        return new AbstractSet<>() {
            @Override
            public int size() {
                return names.length;
            }

            @Override
            public Iterator<Entry<String, Double>> iterator() {
                return new Iterator<>() {
                    private int i;

                    @Override
                    public boolean hasNext() {
                        return i < names.length;
                    }

                    @Override
                    public Entry<String, Double> next() {
                        if (i >= names.length) throw new NoSuchElementException();
                        Entry<String, Double> e = new SimpleImmutableEntry<>(names[i], values[i]);
                        i++;
                        return e;
                    }
                };
            }
        };
    }
}
