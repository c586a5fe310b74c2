package dev.keytransfer.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Every Java snippet in the README is copied from a file that compiles in CI: each {@code ```java}
 * block is preceded by {@code <!-- from: PATH -->}, and its lines (indentation aside) stand in that
 * file in one piece, or in several pieces in order where the block says {@code // ...}. Marked
 * blocks of other languages (the Maven snippets) are checked the same way.
 */
class ReadmeSnippetsTest {
  private static final Pattern FROM = Pattern.compile("^<!-- from: (\\S+) -->$");

  record Snippet(int line, String language, String from, List<String> lines) {}

  @Test
  void everyJavaSnippetIsCopiedFromASourceFile() throws IOException {
    Path root = repositoryRoot();
    List<Snippet> snippets = snippets(Files.readAllLines(root.resolve("README.md")));
    assertThat(snippets).filteredOn(s -> s.language().equals("java")).hasSizeGreaterThan(4);
    for (Snippet s : snippets) {
      if (s.language().equals("java")) {
        assertThat(s.from())
            .as("README line %d: a java block needs <!-- from: PATH -->", s.line())
            .isNotNull();
      }
      if (s.from() == null) {
        continue;
      }
      Path source = root.resolve(s.from());
      assertThat(source).as("README line %d", s.line()).isRegularFile();
      List<String> file = stripped(Files.readAllLines(source));
      int at = 0;
      for (List<String> piece : pieces(s.lines())) {
        int found = indexOf(file, piece, at);
        assertThat(found)
            .as(
                "README line %d: this piece is not in %s (in order):%n%s",
                s.line(), s.from(), String.join("\n", piece))
            .isNotNegative();
        at = found + piece.size();
      }
    }
  }

  @Test
  void theCheckerRefusesAnEditedSnippet() {
    List<String> file = stripped(List.of("a();", "  b();", "c();"));
    assertThat(indexOf(file, stripped(List.of("b();", "c();")), 0)).isEqualTo(1);
    assertThat(indexOf(file, stripped(List.of("b();", "d();")), 0)).isNegative();
    assertThat(indexOf(file, stripped(List.of("a();")), 1)).isNegative();
  }

  static List<Snippet> snippets(List<String> readme) {
    List<Snippet> out = new ArrayList<>();
    String from = null;
    for (int i = 0; i < readme.size(); i++) {
      String line = readme.get(i);
      Matcher m = FROM.matcher(line.strip());
      if (m.matches()) {
        from = m.group(1);
        continue;
      }
      if (line.startsWith("```") && line.length() > 3) {
        String language = line.substring(3).strip();
        int start = i + 1;
        int end = start;
        while (end < readme.size() && !readme.get(end).startsWith("```")) {
          end++;
        }
        out.add(new Snippet(i + 1, language, from, readme.subList(start, end)));
        i = end;
        from = null;
      } else if (!line.isBlank()) {
        from = null;
      }
    }
    return out;
  }

  private static List<List<String>> pieces(List<String> lines) {
    List<List<String>> out = new ArrayList<>();
    List<String> piece = new ArrayList<>();
    for (String l : stripped(lines)) {
      if (l.equals("// ...")) {
        out.add(piece);
        piece = new ArrayList<>();
      } else {
        piece.add(l);
      }
    }
    out.add(piece);
    out.removeIf(List::isEmpty);
    return out;
  }

  private static List<String> stripped(List<String> lines) {
    return lines.stream().map(String::strip).filter(l -> !l.isEmpty()).toList();
  }

  private static int indexOf(List<String> file, List<String> piece, int from) {
    for (int i = from; i + piece.size() <= file.size(); i++) {
      if (file.subList(i, i + piece.size()).equals(piece)) {
        return i;
      }
    }
    return -1;
  }

  private static Path repositoryRoot() {
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      if (Files.isRegularFile(p.resolve("README.md")) && Files.isDirectory(p.resolve("it"))) {
        return p;
      }
    }
    throw new AssertionError("README.md not found above " + Path.of("").toAbsolutePath());
  }
}
