package dev.ncps.config;

/** Where cluster-wide locks live. {@link #POSTGRES} (leases in a PostgreSQL table) is an ncps-java extension. */
public enum LockBackend { LOCAL, REDIS, POSTGRES }
