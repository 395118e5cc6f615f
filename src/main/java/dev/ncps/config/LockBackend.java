package dev.ncps.config;

/** Where cluster-wide locks live. {@link #POSTGRES} (advisory locks) is an ncps-java extension. */
public enum LockBackend { LOCAL, REDIS, POSTGRES }
