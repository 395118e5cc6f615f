package dev.ncps.cli;

/** Entry point of the {@code ncps} executable. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        System.out.println("ncps (Nix Cache Proxy Server): commands arrive with the cli package");
    }
}
