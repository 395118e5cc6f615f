package dev.ncps.lock;

import dev.ncps.metrics.Metrics;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;

/** Fresh metrics: the lock listener to give the locks, and the lock series read back by name and label pairs. */
record LockMetricsReader(Metrics metrics) {

    static LockMetricsReader fresh() {
        return new LockMetricsReader(new Metrics("test", ""));
    }

    LockListener listener() {
        return metrics.locks();
    }

    double counter(String name, String... labels) {
        return ((CounterSnapshot) snapshot(name)).getDataPoints().stream()
                .filter(p -> matches(p.getLabels(), labels))
                .mapToDouble(CounterSnapshot.CounterDataPointSnapshot::getValue).sum();
    }

    long histogramCount(String name, String... labels) {
        return ((HistogramSnapshot) snapshot(name)).getDataPoints().stream()
                .filter(p -> matches(p.getLabels(), labels))
                .mapToLong(HistogramSnapshot.HistogramDataPointSnapshot::getCount).sum();
    }

    double gauge(String name) {
        return ((GaugeSnapshot) snapshot(name)).getDataPoints().getFirst().getValue();
    }

    private MetricSnapshot snapshot(String name) {
        String bare = name.endsWith("_total") ? name.substring(0, name.length() - "_total".length()) : name;
        return metrics.registry().scrape().stream().filter(s -> s.getMetadata().getName().equals(bare)).findFirst()
                .orElseThrow(() -> new AssertionError("no series " + name));
    }

    private static boolean matches(Labels actual, String... pairs) {
        for (int i = 0; i < pairs.length; i += 2) {
            if (!pairs[i + 1].equals(actual.get(pairs[i]))) {
                return false;
            }
        }
        return true;
    }
}
