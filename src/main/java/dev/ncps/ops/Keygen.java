package dev.ncps.ops;

import dev.ncps.nix.SecretKey;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;

/**
 * {@code ncps keygen NAME [--secret-file F] [--public-file F]}. The secret key is one line, exactly what
 * {@code --cache-secret-key-path} reads. Without {@code --secret-file} it is the only thing on stdout, so
 * {@code ncps keygen NAME > key} and pipes get a usable key file; the public key then goes to stderr with
 * a label. With {@code --secret-file} the secret never reaches the terminal and stdout carries the public
 * key. Existing files are never overwritten: a lost signing key cannot be recovered.
 */
public final class Keygen {
    private final PrintStream out;
    private final PrintStream err;

    public Keygen(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    public int run(String name, Optional<Path> secretFile, Optional<Path> publicFile) {
        if (name.isEmpty() || name.contains(":") || name.chars().anyMatch(Character::isWhitespace)) {
            err.println("invalid key name '" + name + "': expected a name without ':' or spaces, e.g. cache.example.com-1");
            return ExitCodes.USAGE;
        }
        for (Path file : secretFile.stream().toList()) {
            if (publicFile.map(file::equals).orElse(false)) {
                err.println("--secret-file and --public-file name the same file " + file);
                return ExitCodes.USAGE;
            }
        }
        SecretKey key = SecretKey.generate(name);
        String publicText = key.publicKey().toNixString();
        try {
            if (secretFile.isPresent()) {
                write(secretFile.get(), key.toNixString(), "rw-------");
                err.println("secret key written to " + secretFile.get() + " (for --cache-secret-key-path)");
            }
            if (publicFile.isPresent()) {
                write(publicFile.get(), publicText, "rw-r--r--");
                err.println("public key written to " + publicFile.get() + " (for the clients' trusted-public-keys)");
            }
        } catch (FileAlreadyExistsException e) {
            err.println(e.getFile() + " already exists; not overwritten (a signing key in use cannot be recovered). "
                    + "Remove it first or choose another name.");
            return ExitCodes.PROBLEMS;
        } catch (IOException e) {
            err.println("cannot write the key: " + e.getMessage());
            return ExitCodes.PROBLEMS;
        }
        if (secretFile.isEmpty()) {
            out.println(key.toNixString());
            err.println("public key (for the clients' trusted-public-keys): " + publicText);
        } else {
            out.println(publicText);
        }
        return ExitCodes.OK;
    }

    /** Writes a new file atomically: a temp file with the final permissions, moved to a name that must not exist. */
    private static void write(Path file, String line, String permissions) throws IOException {
        Path target = file.toAbsolutePath();
        if (Files.exists(target)) throw new FileAlreadyExistsException(file.toString());
        Path dir = target.getParent();
        Path temp = Files.createTempFile(dir, "." + target.getFileName() + "-", ".tmp");
        try {
            if (Files.getFileAttributeView(temp, PosixFileAttributeView.class) != null) {
                Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString(permissions));
            }
            Files.writeString(temp, line + "\n", StandardCharsets.UTF_8);
            try {
                Files.createLink(target, temp);
            } catch (UnsupportedOperationException e) {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
            }
        } catch (FileAlreadyExistsException e) {
            throw new FileAlreadyExistsException(file.toString());
        } finally {
            Files.deleteIfExists(temp);
        }
    }
}
