package dev.ncps.cluster;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** What the cluster coordinator reports, for metrics and tracing. Must be fast and must not throw. */
public interface CoordinationListener {

    CoordinationListener NONE = outcome -> {};

    /** How a download that another instance (or an earlier run of this one) held was served. */
    enum Outcome {
        /** Streamed from the instance that holds it. */
        SERVED_BY_PEER,
        /** The holder was gone (or was an earlier run of this instance): this instance took the download over. */
        TAKE_OVER,
        /** The lock kept changing hands: the request was refused. */
        GIVE_UP;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static final List<String> LABELS = Arrays.stream(values()).map(Outcome::label).toList();
    }

    void onHeldElsewhere(Outcome outcome);
}
