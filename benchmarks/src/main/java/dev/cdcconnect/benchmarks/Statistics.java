package dev.cdcconnect.benchmarks;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Figures over the rounds of a measurement. */
public final class Statistics {

    private Statistics() {
    }

    /** The median: the middle value, or the mean of the two middle ones. */
    public static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }
}
