package dev.ncps.nix;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/**
 * Random and mutated input for every parser: the only exception that may escape is
 * {@link NixParseException}, with a message. Inputs are small and every parser consumes its input as it
 * goes, so a try cannot hang; hostile sizes inside the input must not allocate.
 */
class ParserFuzzTest {
    private static final List<String> NARINFOS = validNarinfos();
    private static final String CACHE_INFO = "StoreDir: /nix/store\nWantMassQuery: 1\nPriority: 40\n";
    private static final byte[] NAR = NarBuilder.samplePackage();
    private static final String[] SPECIAL_CHARACTERS = {"\r", "\0", ":", " ", "\n", "/", "..", "é", "\t", "-"};
    private static final String[] HOSTILE_NUMBERS = {"-1", "0", "9223372036854775807", "9223372036854775808",
            "18446744073709551616", "99999999999999999999999999999", "1e9", "+5", " 7", "0x10"};

    @Property(tries = 3000)
    void narinfoFromRandomText(@ForAll("narinfoLikeText") String text) {
        narinfoOnlyFailsWithParseErrors(text);
    }

    @Property(tries = 3000)
    void narinfoFromMutatedRealOnes(@ForAll long seed) {
        Random random = new Random(seed);
        String original = NARINFOS.get(random.nextInt(NARINFOS.size()));
        narinfoOnlyFailsWithParseErrors(mutateText(original, random));
    }

    @Property(tries = 2000)
    void cacheInfoFromRandomAndMutatedText(@ForAll("narinfoLikeText") String text, @ForAll long seed) {
        onlyParseErrors(() -> CacheInfo.parse(text));
        String mutated = mutateText(CACHE_INFO, new Random(seed));
        onlyParseErrors(() -> {
            CacheInfo info = CacheInfo.parse(mutated);
            assertThat(CacheInfo.parse(info.serialize())).isEqualTo(info);
        });
    }

    @Property(tries = 3000)
    void buildTraceEntriesAndListingsFromMutatedValidOnes(@ForAll long seed) {
        Random random = new Random(seed);
        SecretKey key = SecretKey.generate("fuzz-1");
        BuildTrace trace = new BuildTrace(new StorePath("1gxz5nfzfnhyxjdyzi04r86sh61y4i00", "x.drv"), "out",
                new StorePath("2gxz5nfzfnhyxjdyzi04r86sh61y4i00", "x"), List.of());
        String valid = random.nextBoolean() ? trace.withSignatures(List.of(key.sign(trace.fingerprint()))).valueJson()
                : "{\"key\":{\"drvPath\":\"/nix/store/1gxz5nfzfnhyxjdyzi04r86sh61y4i00-x.drv\",\"outputName\":\"out\"},"
                        + "\"value\":{\"outPath\":\"2gxz5nfzfnhyxjdyzi04r86sh61y4i00-x\",\"signatures\":[\"k:" + "A".repeat(86) + "==\"]}}";
        String mutated = mutateText(valid, random);
        onlyParseErrors(() -> {
            BuildTrace parsed = BuildTrace.parse(trace.drvPath(), "out", mutated);
            assertThat(BuildTrace.parse(trace.drvPath(), "out", parsed.valueJson())).isEqualTo(parsed);
        });
        onlyParseErrors(() -> NarListing.check(mutateText(NarListing.json(NarReader.read(new ByteArrayInputStream(NAR), true)
                .entries()), random), NAR.length));
    }

    @Property(tries = 3000)
    void storePathsFromRandomText(@ForAll("pathLikeText") String text) {
        onlyParseErrors(() -> assertThat(StorePath.parse(text)).hasToString(text));
        onlyParseErrors(() -> assertThat(StorePath.parseBaseName(text).baseName()).isEqualTo(text));
        if (StorePath.isValidHashPart(text)) {
            assertThat(text).hasSize(32).doesNotContain("/", ".", "\0");
        }
    }

    @Property(tries = 3000)
    void hashesFromRandomAndMutatedText(@ForAll("hashLikeText") String text, @ForAll long seed) {
        onlyParseErrors(() -> {
            Hash hash = Hash.parse(text);
            assertThat(Hash.parse(hash.toSri())).isEqualTo(hash);
            assertThat(Hash.parse(hash.toBase16String())).isEqualTo(hash);
            assertThat(Hash.parse(hash.toNix32String())).isEqualTo(hash);
        });
        String valid = "sha256:0mdqa9w1p6cmli6976v4wi0sw9r4p5prkj7lzfd1877wk11c9c73";
        onlyParseErrors(() -> Hash.parse(mutateText(valid, new Random(seed))));
        for (HashAlgorithm algorithm : HashAlgorithm.values()) onlyParseErrors(() -> Hash.parse(algorithm, text));
    }

    @Property(tries = 2000)
    void keysAndSignaturesFromRandomText(@ForAll("hashLikeText") String text) throws Exception {
        onlyParseErrors(() -> PublicKey.parse(text));
        onlyParseErrors(() -> SecretKey.parse(text));
        PublicKey key = Fixtures.publicKeys().getFirst();
        assertThat(key.verify(text, key.name() + ":" + text)).isFalse();
    }

    @Property(tries = 2000)
    void narFromRandomBytes(@ForAll @Size(max = 600) byte[] bytes) {
        onlyParseErrors(() -> NarReader.read(new ByteArrayInputStream(bytes), true));
        byte[] prefixed = concat(NarBuilder.archive().tokens("(", "type").build(), bytes);
        onlyParseErrors(() -> NarReader.read(new ByteArrayInputStream(prefixed), true));
    }

    @Property(tries = 3000)
    void narFromMutatedValidOnes(@ForAll long seed) {
        Random random = new Random(seed);
        byte[] mutated = NAR.clone();
        int mutations = 1 + random.nextInt(3);
        for (int i = 0; i < mutations; i++) mutated = mutateNar(mutated, random);
        byte[] input = mutated;
        onlyParseErrors(() -> {
            NarReader.Summary summary = NarReader.read(new ByteArrayInputStream(input), true);
            assertThat(summary.narSize()).isEqualTo(input.length);
        });
    }

    @Property(tries = 1000)
    void decodersOnMutatedFramesFailWithParseErrors(@ForAll long seed) throws Exception {
        Random random = new Random(seed);
        List<Compression> codecs = List.of(Compression.XZ, Compression.ZSTD, Compression.BZIP2, Compression.BROTLI,
                Compression.LZ4, Compression.GZIP);
        Compression compression = codecs.get(random.nextInt(codecs.size()));
        byte[] mutated = mutateBytes(COMPRESSED.get(compression), random);
        onlyParseErrors(() -> {
            try (InputStream in = compression.decompress(new ByteArrayInputStream(mutated))) {
                // A corrupted frame could claim a huge output; reading a bounded amount is enough.
                in.readNBytes(1 << 20);
            }
        });
    }

    private static final java.util.Map<Compression, byte[]> COMPRESSED = compressedSamples();

    @Provide
    Arbitrary<String> narinfoLikeText() {
        Arbitrary<String> keys = Arbitraries.of("StorePath: /nix/store/1gxz5nfzfnhyxjdyzi04r86sh61y4i00-x", "URL: ",
                "Compression: ", "FileHash: sha256:", "FileSize: ", "NarHash: sha256:", "NarSize: ", "References: ",
                "Deriver: ", "System: ", "Sig: ", "CA: ", "StoreDir: ", "WantMassQuery: ", "Priority: ", "\n", ":", " ",
                "0mdqa9w1p6cmli6976v4wi0sw9r4p5prkj7lzfd1877wk11c9c73", "unknown-deriver", "xz", "\r");
        Arbitrary<String> noise = Arbitraries.strings().all().ofMaxLength(12);
        Arbitrary<String> numbers = Arbitraries.of(HOSTILE_NUMBERS);
        return Arbitraries.oneOf(keys, keys, noise, numbers).list().ofMaxSize(40).map(parts -> String.join("", parts));
    }

    @Provide
    Arbitrary<String> pathLikeText() {
        Arbitrary<String> pieces = Arbitraries.of("/nix/store/", "1gxz5nfzfnhyxjdyzi04r86sh61y4i00", "-", "hello", ".", "..",
                "/", "\0", "e", "é", "?=+_", "a".repeat(211));
        return Arbitraries.oneOf(pieces, Arbitraries.strings().all().ofMaxLength(8)).list().ofMaxSize(8)
                .map(parts -> String.join("", parts));
    }

    @Provide
    Arbitrary<String> hashLikeText() {
        Arbitrary<String> prefixes = Arbitraries.of("sha256:", "sha256-", "sha512:", "md5-", "sha1:", "k:", "", ":");
        Arbitrary<String> bodies = Arbitraries.oneOf(
                Arbitraries.strings().withChars(NixBase32.ALPHABET + "eotu").ofMinLength(20).ofMaxLength(110),
                Arbitraries.strings().withChars("0123456789abcdefABCDEF").ofMinLength(30).ofMaxLength(130),
                Arbitraries.strings().withChars("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=").ofMinLength(20).ofMaxLength(90),
                Arbitraries.strings().all().ofMaxLength(40));
        return net.jqwik.api.Combinators.combine(prefixes, bodies).as(String::concat);
    }

    private static void narinfoOnlyFailsWithParseErrors(String text) {
        onlyParseErrors(() -> {
            NarInfo info = NarInfo.parse(text);
            String serialized = info.serialize();
            assertThat(NarInfo.parse(serialized)).isEqualTo(info);
            assertThat(NarInfo.parse(serialized).serialize()).isEqualTo(serialized);
            info.fingerprint();
        });
    }

    private interface Attempt {
        void run() throws Exception;
    }

    private static void onlyParseErrors(Attempt attempt) {
        try {
            attempt.run();
        } catch (NixParseException e) {
            assertThat(e.getMessage()).isNotBlank();
        } catch (Exception e) {
            throw new AssertionError("escaped as " + e, e);
        }
    }

    private static String mutateText(String original, Random random) {
        String text = original;
        int mutations = 1 + random.nextInt(3);
        for (int i = 0; i < mutations; i++) {
            List<String> lines = new ArrayList<>(List.of(text.split("\n", -1)));
            int line = random.nextInt(lines.size());
            String number = HOSTILE_NUMBERS[random.nextInt(HOSTILE_NUMBERS.length)];
            int at = random.nextInt(text.length() + 1);
            text = switch (random.nextInt(7)) {
                case 0 -> { lines.add(line, lines.get(line)); yield String.join("\n", lines); }
                case 1 -> { lines.remove(line); yield String.join("\n", lines); }
                case 2 -> { lines.set(line, lines.get(line).replaceAll("[0-9]+", number)); yield String.join("\n", lines); }
                case 3 -> text.substring(0, at);
                case 4 -> text.substring(0, at) + SPECIAL_CHARACTERS[random.nextInt(SPECIAL_CHARACTERS.length)] + text.substring(at);
                default -> new String(mutateBytes(text.getBytes(StandardCharsets.UTF_8), random), StandardCharsets.UTF_8);
            };
        }
        return text;
    }

    private static byte[] mutateNar(byte[] nar, Random random) {
        if (random.nextBoolean() || nar.length < 8) return mutateBytes(nar, random);
        // Overwrite an aligned u64 (usually a length field) with a hostile value.
        long[] hostile = {-1L, 1L << 62, Long.MAX_VALUE, 1L << 31, 256, 4097, 0, 7};
        byte[] copy = nar.clone();
        int at = random.nextInt(copy.length / 8) * 8;
        long value = hostile[random.nextInt(hostile.length)];
        for (int i = 0; i < 8 && at + i < copy.length; i++) copy[at + i] = (byte) (value >>> (8 * i));
        return copy;
    }

    private static byte[] mutateBytes(byte[] input, Random random) {
        if (input.length == 0) return new byte[] {(byte) random.nextInt()};
        byte[] copy = input.clone();
        int at = random.nextInt(copy.length);
        return switch (random.nextInt(5)) {
            case 0 -> { copy[at] ^= (byte) (1 << random.nextInt(8)); yield copy; }
            case 1 -> { copy[at] = (byte) random.nextInt(); yield copy; }
            case 2 -> java.util.Arrays.copyOf(copy, at);
            case 3 -> concat(java.util.Arrays.copyOf(copy, at), java.util.Arrays.copyOfRange(copy, at / 2, copy.length));
            default -> concat(copy, new byte[] {(byte) random.nextInt()});
        };
    }

    private static byte[] concat(byte[] first, byte[] second) {
        byte[] result = java.util.Arrays.copyOf(first, first.length + second.length);
        System.arraycopy(second, 0, result, first.length, second.length);
        return result;
    }

    private static List<String> validNarinfos() {
        List<String> texts = new ArrayList<>();
        Fixtures.NARINFOS.forEach(hashPart -> texts.add(Fixtures.narinfo(hashPart)));
        return List.copyOf(texts);
    }

    private static java.util.Map<Compression, byte[]> compressedSamples() {
        java.util.Map<Compression, byte[]> samples = new java.util.EnumMap<>(Compression.class);
        try {
            for (Compression compression : Compression.values()) {
                if (compression.isSupported() && compression != Compression.NONE) {
                    samples.put(compression, CompressionTest.compress(compression, NAR));
                }
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return samples;
    }
}
