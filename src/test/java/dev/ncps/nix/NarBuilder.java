package dev.ncps.nix;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Writes NAR bytes token by token, so tests can build valid archives and precisely broken ones. */
public final class NarBuilder {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    public static NarBuilder archive() {
        return new NarBuilder().str("nix-archive-1");
    }

    public NarBuilder str(String text) {
        return bytes(text.getBytes(StandardCharsets.UTF_8));
    }

    public NarBuilder bytes(byte[] data) {
        length(data.length);
        out.writeBytes(data);
        out.writeBytes(new byte[(8 - data.length % 8) % 8]);
        return this;
    }

    public NarBuilder length(long value) {
        for (int i = 0; i < 8; i++) out.write((int) (value >>> (8 * i)));
        return this;
    }

    public NarBuilder raw(byte[] data) {
        out.writeBytes(data);
        return this;
    }

    public NarBuilder tokens(String... tokens) {
        for (String token : tokens) str(token);
        return this;
    }

    public NarBuilder regular(String contents, boolean executable) {
        tokens("(", "type", "regular");
        if (executable) tokens("executable", "");
        return str("contents").str(contents).str(")");
    }

    public NarBuilder symlink(String target) {
        return tokens("(", "type", "symlink", "target", target, ")");
    }

    public NarBuilder entry(String name) {
        return tokens("entry", "(", "name", name, "node");
    }

    public byte[] build() {
        return out.toByteArray();
    }

    /** A small tree like a package: bin/hello (executable), bin/readme -> ../share/README, share/README. */
    static byte[] samplePackage() {
        return archive().tokens("(", "type", "directory")
                .entry("bin").tokens("(", "type", "directory")
                .entry("hello").regular("#!/bin/sh\necho hello\n", true).str(")")
                .entry("readme").symlink("../share/README").str(")")
                .str(")").str(")")
                .entry("share").tokens("(", "type", "directory")
                .entry("README").regular("hello world\n", false).str(")")
                .str(")").str(")")
                .str(")").build();
    }
}
