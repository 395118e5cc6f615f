#!/usr/bin/env python3
"""Where a JFR recording's execution samples go: the share of samples whose stack passes through
each part of the request path (a sample can count in several), from `jfr print --json`."""
import json
import subprocess
import sys

# (label, predicate on the list of "package.Class.method" frames, innermost first)
PARTS = [
    ("ncps code (dev.ncps.*)", lambda f: any(x.startswith("dev.ncps.") for x in f)),
    ("  of which cache core (dev.ncps.cache.*)", lambda f: any(x.startswith("dev.ncps.cache.") for x in f)),
    ("access log (CustomRequestLog, logback)", lambda f: any("CustomRequestLog" in x or x.startswith("ch.qos.logback.") for x in f)),
    ("HTTP parsing (HttpParser)", lambda f: any("jetty.http.HttpParser" in x for x in f)),
    ("response generation (HttpGenerator)", lambda f: any("jetty.http.HttpGenerator" in x for x in f)),
    ("selector / interest updates (ManagedSelector, addInterests)",
     lambda f: any("ManagedSelector" in x or "SelectableChannelEndPoint" in x for x in f)),
    ("socket writes (WriteFlusher, SocketChannelImpl.write)",
     lambda f: any("WriteFlusher" in x or "SocketChannelImpl.write" in x for x in f)),
    ("file mapping / reading (FileChannel)", lambda f: any("FileChannel" in x for x in f)),
    ("thread hand-off (ForkJoinPool, VirtualThread, Continuation)",
     lambda f: f and any(k in f[0] for k in ("ForkJoinPool", "VirtualThread", "Continuation"))),
]


def frames(event):
    out = []
    for fr in event["values"]["stackTrace"]["frames"]:
        m = fr["method"]
        out.append(m["type"]["name"] + "." + m["name"])
    return out


def main():
    java_bin = sys.argv[1]
    for path in sys.argv[2:]:
        raw = subprocess.run([java_bin + "/jfr", "print", "--json", "--stack-depth", "64", "--events",
                              "jdk.ExecutionSample", path], check=True, capture_output=True, text=True).stdout
        events = json.loads(raw)["recording"]["events"]
        stacks = [frames(e) for e in events if e["values"].get("stackTrace")]
        print(f"== {path}: {len(stacks)} execution samples")
        for label, pred in PARTS:
            n = sum(1 for s in stacks if pred(s))
            print(f"  {label:<62} {n:5d} {100 * n / max(1, len(stacks)):5.1f}%")


if __name__ == "__main__":
    main()
