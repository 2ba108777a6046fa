package org.wahub.bench.reliability;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;

/** Progress lines of a run: to stdout (short) and to harness.log in the run's directory. */
final class Log {

  private final Path file;
  private final PrintStream out;
  private final String prefix;

  Log(Path file, PrintStream out, String prefix) {
    this.file = file;
    this.out = out;
    this.prefix = prefix;
  }

  Log scenario(String name) {
    return new Log(file, out, name);
  }

  synchronized void line(String format, Object... args) {
    String line = LocalTime.now().truncatedTo(ChronoUnit.MILLIS) + " [" + prefix + "] " + String.format(format, args);
    out.println(line);
    out.flush();
    try {
      Files.writeString(file, line + System.lineSeparator(), StandardCharsets.UTF_8, StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
    } catch (IOException ignored) {
      // the console copy is enough
    }
  }
}
