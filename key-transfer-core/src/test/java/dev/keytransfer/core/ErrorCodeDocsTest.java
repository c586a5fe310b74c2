package dev.keytransfer.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * docs/ERRORS.md lists every {@link ErrorCode}, one table row each, with the code's wire value, and
 * lists nothing else. The file is found through the system property {@code keytransfer.docs} (the
 * docs folder or the file itself) or by walking up from {@code user.dir}.
 */
class ErrorCodeDocsTest {
  /** A table row whose first cell is a code in backticks: the code and the rest of the row. */
  private static final Pattern ROW = Pattern.compile("^\\|\\s*`([A-Z][A-Z0-9_]*)`\\s*\\|(.*)$");

  private static Path errorsMd;
  private static Map<String, List<String>> rows;

  @BeforeAll
  static void readErrorsMd() throws IOException {
    errorsMd = locate();
    rows = new LinkedHashMap<>();
    for (String line : Files.readAllLines(errorsMd, StandardCharsets.UTF_8)) {
      Matcher m = ROW.matcher(line.strip());
      if (m.matches()) {
        rows.computeIfAbsent(m.group(1), k -> new ArrayList<>()).add(m.group(2));
      }
    }
  }

  @Test
  void everyCodeHasOneRowWithItsWireValue() {
    List<String> problems = new ArrayList<>();
    for (ErrorCode code : ErrorCode.values()) {
      List<String> found = rows.get(code.name());
      if (found == null) {
        problems.add(code.name() + " has no row");
      } else if (found.size() != 1) {
        problems.add(code.name() + " has " + found.size() + " rows");
      } else {
        String wire = found.get(0).split("\\|", -1)[0].strip();
        if (!wire.equals(Integer.toString(code.wireValue()))) {
          problems.add(
              code.name() + " row says wire value '" + wire + "', code has " + code.wireValue());
        }
      }
    }
    assertThat(problems).as("rows of %s", errorsMd).isEmpty();
  }

  @Test
  void listsNoCodeThatDoesNotExist() {
    Set<String> names =
        Arrays.stream(ErrorCode.values()).map(Enum::name).collect(Collectors.toSet());
    assertThat(rows.keySet())
        .as("codes listed in %s that ErrorCode does not define", errorsMd)
        .isSubsetOf(names);
  }

  private static Path locate() {
    String property = System.getProperty("keytransfer.docs");
    if (property != null && !property.isBlank()) {
      Path p = Path.of(property).toAbsolutePath();
      Path file = Files.isDirectory(p) ? p.resolve("ERRORS.md") : p;
      if (!Files.isRegularFile(file)) {
        fail("keytransfer.docs=" + property + " but there is no ERRORS.md at " + file);
      }
      return file;
    }
    Path start = Path.of(System.getProperty("user.dir", "")).toAbsolutePath();
    for (Path dir = start; dir != null; dir = dir.getParent()) {
      Path file = dir.resolve("docs").resolve("ERRORS.md");
      if (Files.isRegularFile(file)) {
        return file;
      }
    }
    return fail(
        "docs/ERRORS.md not found in "
            + start
            + " or any parent; set -Dkeytransfer.docs=<docs folder or ERRORS.md>");
  }
}
