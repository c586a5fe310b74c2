package dev.keytransfer.examples;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;
import dev.keytransfer.KeyTransferHost;
import dev.keytransfer.ca.DefaultCertificateAuthority;
import dev.keytransfer.core.ErrorCode;
import dev.keytransfer.crypto.accp.AccpCryptoProvider;
import dev.keytransfer.crypto.bc.BcCryptoProvider;
import dev.keytransfer.crypto.pkcs11.Pkcs11CryptoProvider;
import dev.keytransfer.netty.NettyKeyServer;
import dev.keytransfer.transport.InMemoryTransport;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The library modules' boundaries: each jar has a module descriptor that exports every package but
 * its {@code internal} ones, and no class outside a module uses that module's internal packages
 * (the command line tool included).
 */
class ModuleBoundariesTest {
  /** A library module: its descriptor and the jar or folder its classes come from. */
  record LibraryModule(ModuleDescriptor descriptor, String location) {
    Set<String> internalPackages() {
      return descriptor.packages().stream()
          .filter(p -> p.endsWith(".internal") || p.contains(".internal."))
          .collect(Collectors.toCollection(TreeSet::new));
    }

    boolean holds(JavaClass c) {
      return c.getSource().map(s -> s.getUri().toString().contains(location)).orElse(false);
    }
  }

  static List<LibraryModule> modules = new ArrayList<>();
  static JavaClasses classes;

  @BeforeAll
  static void load() throws URISyntaxException {
    for (Class<?> c :
        List.of(
            ErrorCode.class,
            KeyTransferHost.class,
            InMemoryTransport.class,
            BcCryptoProvider.class,
            Pkcs11CryptoProvider.class,
            DefaultCertificateAuthority.class,
            NettyKeyServer.class,
            AccpCryptoProvider.class)) {
      Path location = Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
      ModuleReference ref = ModuleFinder.of(location).findAll().iterator().next();
      modules.add(new LibraryModule(ref.descriptor(), location.toUri().getPath()));
    }
    // production code of every module, the command line tool included; white-box tests of a module
    // (some live in key-transfer-tests) may use its internals
    classes =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .withImportOption(l -> !l.contains("-tests.jar"))
            .importPackages("dev.keytransfer");
  }

  @Test
  void everyLibraryJarHasADescriptorExportingAllButInternal() {
    assertThat(modules)
        .extracting(m -> m.descriptor().name())
        .containsExactly(
            "dev.keytransfer.core",
            "dev.keytransfer.crypto",
            "dev.keytransfer.transport",
            "dev.keytransfer.bc",
            "dev.keytransfer.pkcs11",
            "dev.keytransfer.ca",
            "dev.keytransfer.netty",
            "dev.keytransfer.accp");
    for (LibraryModule m : modules) {
      ModuleDescriptor d = m.descriptor();
      assertThat(d.isAutomatic()).as(d.name()).isFalse();
      Set<String> exported =
          d.exports().stream()
              .map(ModuleDescriptor.Exports::source)
              .collect(Collectors.toCollection(TreeSet::new));
      Set<String> expected = new TreeSet<>(d.packages());
      expected.removeAll(m.internalPackages());
      assertThat(exported).as(d.name() + " exports").isEqualTo(expected);
      assertThat(d.exports()).as(d.name()).allMatch(e -> !e.isQualified());
      assertThat(d.opens()).as(d.name() + " opens nothing").isEmpty();
    }
    assertThat(modules.get(0).internalPackages()).containsExactly("dev.keytransfer.core.internal");
    assertThat(modules.get(1).internalPackages())
        .containsExactly("dev.keytransfer.crypto.internal");
    // the terminal-side modules need the JDK and slf4j only (module names as their descriptors say)
    for (LibraryModule m : modules.subList(0, 3)) {
      assertThat(m.descriptor().requires())
          .extracting(ModuleDescriptor.Requires::name)
          .allMatch(
              n ->
                  n.startsWith("java.")
                      || n.equals("org.slf4j")
                      || n.startsWith("dev.keytransfer."),
              m.descriptor().name() + " requires only the JDK, slf4j-api and key-transfer");
    }
    // Netty is the host's: no terminal-side module reaches it
    assertThat(modules.get(6).descriptor().requires())
        .extracting(ModuleDescriptor.Requires::name)
        .contains("io.netty.transport", "io.netty.codec")
        .doesNotContain("dev.keytransfer.transport", "dev.keytransfer.crypto");
  }

  @Test
  void noClassOutsideAModuleUsesItsInternals() {
    for (LibraryModule m : modules) {
      assertThat(classes.stream().filter(m::holds)).as(m.descriptor().name()).isNotEmpty();
      for (String internal : m.internalPackages()) {
        EvaluationResult result = rule(m, internal).evaluate(classes);
        assertThat(result.getFailureReport().getDetails()).as(internal).isEmpty();
      }
    }
  }

  @Test
  void theRuleCatchesABreach() {
    LibraryModule core = modules.get(0);
    JavaClasses fixture =
        new ClassFileImporter().importPackages("dev.keytransfer.examples.fixture");
    EvaluationResult result = rule(core, "dev.keytransfer.core.internal").evaluate(fixture);
    assertThat(result.hasViolation()).isTrue();
    assertThat(String.join("\n", result.getFailureReport().getDetails()))
        .contains("UsesCoreInternals")
        .contains("dev.keytransfer.core.internal.Hex");
  }

  private static ArchRule rule(LibraryModule owner, String internalPackage) {
    DescribedPredicate<JavaClass> outside =
        DescribedPredicate.describe(
            "are outside " + owner.descriptor().name(), c -> !owner.holds(c));
    return noClasses()
        .that(outside)
        .should()
        .dependOnClassesThat()
        .resideInAPackage(internalPackage + "..")
        .because(internalPackage + " is not exported by " + owner.descriptor().name());
  }
}
