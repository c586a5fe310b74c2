package dev.keytransfer.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Exception types agree with their codes: one place ({@link ErrorCode#exceptionType()}) names the
 * type of every code, {@link KeyTransferException#of} makes it, a constructor refuses a code of
 * another type, and docs/ERRORS.md names the same type in each code's row.
 */
class ErrorCodeTypesTest {
  @Test
  void everyCodeMakesAnExceptionOfItsType() {
    for (ErrorCode code : ErrorCode.values()) {
      KeyTransferException e = KeyTransferException.of(code, "m", null);
      assertThat(e).as(code.name()).isInstanceOf(code.exceptionType());
      assertThat(e.getClass()).as(code.name()).isEqualTo(code.exceptionType());
      assertThat(e.code()).isEqualTo(code);
    }
  }

  @Test
  void aConstructorRefusesACodeOfAnotherType() {
    assertThatThrownBy(() -> new KeyTransferException(ErrorCode.CERTIFICATE_REVOKED, "m"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("CertificateValidationException");
    assertThatThrownBy(() -> new TransportException(ErrorCode.NONCE_MISMATCH, "m"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new KeyTransferException(ErrorCode.INTERNAL_ERROR, "m"))
        .isInstanceOf(IllegalArgumentException.class);
    // a code of the root type fits every type
    assertThat(new KeyTokenException(ErrorCode.KCV_MISMATCH, "m").code())
        .isEqualTo(ErrorCode.KCV_MISMATCH);
  }

  @Test
  void bugsHaveTheirOwnType() {
    assertThat(ErrorCode.INTERNAL_ERROR.exceptionType()).isEqualTo(InternalErrorException.class);
    for (ErrorCode code : ErrorCode.values()) {
      if (code != ErrorCode.INTERNAL_ERROR) {
        assertThat(InternalErrorException.class.isAssignableFrom(code.exceptionType()))
            .as(code.name())
            .isFalse();
      }
    }
  }

  @Test
  void theDocsNameEachCodesType() throws IOException {
    List<String> rows = Files.readAllLines(errorsMd());
    for (ErrorCode code : ErrorCode.values()) {
      String row =
          rows.stream()
              .filter(r -> r.startsWith("| `" + code.name() + "` |"))
              .findFirst()
              .orElseThrow(() -> new AssertionError(code + " has no row in docs/ERRORS.md"));
      assertThat(row).as(code.name()).contains("`" + code.exceptionType().getSimpleName() + "`");
    }
  }

  private static Path errorsMd() {
    String property = System.getProperty("keytransfer.docs");
    if (property != null) {
      Path p = Path.of(property);
      return Files.isDirectory(p) ? p.resolve("ERRORS.md") : p;
    }
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      if (Files.isRegularFile(p.resolve("docs/ERRORS.md"))) {
        return p.resolve("docs/ERRORS.md");
      }
    }
    throw new AssertionError("docs/ERRORS.md not found above " + Path.of("").toAbsolutePath());
  }
}
