package dev.ncps.ha;

import dev.ncps.app.ServeCommand;
import dev.ncps.config.ConfigException;
import dev.ncps.config.ConfigLoader;
import dev.ncps.config.Options;
import dev.ncps.config.ServeConfig;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** An ncps started in this JVM from a YAML file, exactly as {@code ncps serve --config file} would load it. */
final class InProcessNcps implements AutoCloseable {
    private final ServeCommand command = new ServeCommand();
    private final ServeCommand.Running running;
    private final int port;

    private InProcessNcps(ServeConfig config) throws Exception {
        this.port = config.server().addr().port();
        try {
            this.running = command.start(config);
        } catch (Exception | Error e) {
            command.close();
            throw e;
        }
    }

    static InProcessNcps start(NcpsYaml yaml, Path dir) throws Exception {
        return new InProcessNcps(load(yaml.text(), dir));
    }

    /** Loads {@code yamlText} as the config file with an empty environment; throws the loader's ConfigException. */
    static ServeConfig load(String yamlText, Path dir) throws IOException, ConfigException {
        Path file = Files.createTempFile(Files.createDirectories(dir), "config-", ".yaml");
        Files.writeString(file, yamlText);
        return new ConfigLoader(Map.of("HOME", dir.toString()), dir, () -> "testhost")
                .serve(Map.of(Options.CONFIG, List.of(file.toString()))).config();
    }

    URI url() {
        return URI.create("http://127.0.0.1:" + port);
    }

    ServeCommand.Running running() {
        return running;
    }

    @Override
    public void close() {
        command.close();
    }
}
