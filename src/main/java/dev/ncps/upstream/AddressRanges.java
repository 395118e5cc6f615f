package dev.ncps.upstream;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.List;
import java.util.Optional;

/**
 * Which addresses are not the public internet: loopback, link-local (cloud metadata at 169.254.169.254),
 * private and shared ranges, multicast, reserved. IPv6 forms that carry an IPv4 address (mapped,
 * compatible, NAT64, 6to4) are judged by that address, so {@code ::ffff:127.0.0.1} is loopback.
 */
final class AddressRanges {

    /** A block and what it is, as written in refusal logs. */
    private record Range(Cidr block, String name) {}

    private static final List<Range> RANGES = List.of(
            range("0.0.0.0/8", "this network"),
            range("10.0.0.0/8", "private"),
            range("100.64.0.0/10", "shared address space (CGNAT)"),
            range("127.0.0.0/8", "loopback"),
            range("169.254.0.0/16", "link-local"),
            range("172.16.0.0/12", "private"),
            range("192.0.0.0/24", "IETF protocol assignments"),
            range("192.168.0.0/16", "private"),
            range("198.18.0.0/15", "benchmarking"),
            range("224.0.0.0/4", "multicast"),
            range("240.0.0.0/4", "reserved"),
            range("::/128", "unspecified"),
            range("::1/128", "loopback"),
            range("fc00::/7", "unique local"),
            range("fe80::/10", "link-local"),
            range("fec0::/10", "site-local"),
            range("ff00::/8", "multicast"));

    private AddressRanges() {}

    /** The name of the non-public range {@code address} is in, or empty for a public address. */
    static Optional<String> internalRange(InetAddress address) {
        byte[] bytes = address.getAddress();
        if (address instanceof Inet6Address) {
            byte[] embedded = embeddedIpv4(bytes);
            if (embedded != null) {
                bytes = embedded;
            }
        }
        for (Range range : RANGES) {
            if (range.block().contains(bytes)) {
                return Optional.of(range.name());
            }
        }
        return Optional.empty();
    }

    /** The IPv4 address inside an IPv4-mapped, -compatible, NAT64 or 6to4 IPv6 address, else null. */
    private static byte[] embeddedIpv4(byte[] v6) {
        boolean mapped = zeros(v6, 0, 10) && (v6[10] & 0xff) == 0xff && (v6[11] & 0xff) == 0xff;
        // ::a.b.c.d (deprecated "compatible" form); :: and ::1 themselves are ranges of their own.
        boolean compatible = zeros(v6, 0, 12) && !zeros(v6, 12, 15);
        boolean nat64 = (v6[0] & 0xff) == 0x00 && (v6[1] & 0xff) == 0x64 && (v6[2] & 0xff) == 0xff
                && (v6[3] & 0xff) == 0x9b && zeros(v6, 4, 12);
        if (mapped || compatible || nat64) {
            return new byte[] {v6[12], v6[13], v6[14], v6[15]};
        }
        if ((v6[0] & 0xff) == 0x20 && (v6[1] & 0xff) == 0x02) {
            return new byte[] {v6[2], v6[3], v6[4], v6[5]};
        }
        return null;
    }

    private static boolean zeros(byte[] bytes, int from, int to) {
        for (int i = from; i < to; i++) {
            if (bytes[i] != 0) {
                return false;
            }
        }
        return true;
    }

    private static Range range(String cidr, String name) {
        return new Range(Cidr.parse(cidr), name);
    }
}
