#!/usr/bin/env python3
"""Where a JFR recording's execution samples go: the share of samples whose stack passes through
each part of the request path (a sample can count in several), from `jfr print --json`."""
import json
import subprocess
import sys

# (label, predicate on the list of "package.Class.method" frames, innermost first). Jetty's machinery
# is classified by the innermost frames only: every request task runs below the selector's frames.
def top(f, n=4):
    return f[:n]


PARTS = [
    ("ncps code anywhere on the stack (dev.ncps.*)", lambda f: any(x.startswith("dev.ncps.") for x in f)),
    ("access log anywhere on the stack (CustomRequestLog, logback)",
     lambda f: any("CustomRequestLog" in x or x.startswith("ch.qos.logback.") for x in f)),
    ("HTTP parsing (HttpParser, innermost)", lambda f: any("jetty.http.HttpParser" in x for x in top(f))),
    ("response generation (HttpGenerator, innermost)", lambda f: any("jetty.http.HttpGenerator" in x for x in top(f))),
    ("selector interest updates and wake-ups (innermost)",
     lambda f: any("ManagedSelector.submit" in x or "addInterests" in x or "wakeup" in x for x in top(f))),
    ("socket writes (innermost)", lambda f: any("SocketChannelImpl.write" in x or "IOUtil.write" in x for x in top(f))),
    ("file mapping / reading (innermost)", lambda f: any("FileChannel" in x for x in top(f))),
    ("thread scheduling (ForkJoinPool, VirtualThread, Continuation innermost)",
     lambda f: any(k in x for x in top(f, 2) for k in ("ForkJoinPool", "VirtualThread", "Continuation"))),
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
