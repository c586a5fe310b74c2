package dev.keytransfer.fuzz;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectPackage;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TagFilter;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/**
 * Runs one fuzz target in this JVM, for {@code it/fuzz.sh} (docs/FUZZING.md): Jazzer fuzzes one
 * {@code @FuzzTest} per JVM, and launching the JUnit platform directly spares each target a Maven
 * build. {@code FuzzMain --list} prints every target of this package as {@code Class#method};
 * {@code FuzzMain Class#method} runs that one (fuzzing when {@code JAZZER_FUZZ=1}, regression mode
 * otherwise) and exits 0 if it passed, 1 if it failed (a finding), 2 if there is no such target.
 */
public final class FuzzMain {
  private FuzzMain() {}

  public static void main(String[] args) {
    if (args.length != 1) {
      System.err.println("usage: FuzzMain --list | FuzzMain Class#method");
      System.exit(2);
    }
    Launcher launcher = LauncherFactory.create();
    if (args[0].equals("--list")) {
      for (String target : targets(launcher)) {
        System.out.println(target);
      }
      return;
    }
    String target = args[0];
    if (!targets(launcher).contains(target)) {
      System.err.println("no fuzz target " + target + "; FuzzMain --list names them");
      System.exit(2);
    }
    LauncherDiscoveryRequest request =
        LauncherDiscoveryRequestBuilder.request()
            .selectors(selectMethod(FuzzMain.class.getPackageName() + "." + target + "(byte[])"))
            .build();
    SummaryGeneratingListener summary = new SummaryGeneratingListener();
    List<String> failed = new ArrayList<>();
    TestExecutionListener failures =
        new TestExecutionListener() {
          @Override
          public void executionFinished(TestIdentifier id, TestExecutionResult result) {
            if (result.getStatus() != TestExecutionResult.Status.SUCCESSFUL && id.isTest()) {
              failed.add(id.getDisplayName());
            }
          }
        };
    launcher.execute(request, summary, failures);
    TestExecutionSummary s = summary.getSummary();
    PrintWriter out = new PrintWriter(System.out, true);
    s.printTo(out);
    s.printFailuresTo(out, 40);
    out.println(
        "fuzz target "
            + target
            + ": "
            + s.getTestsSucceededCount()
            + " passed, "
            + s.getTotalFailureCount()
            + " failed"
            + (failed.isEmpty() ? "" : " " + failed));
    System.exit(s.getTotalFailureCount() > 0 ? 1 : 0);
  }

  /** Every {@code @FuzzTest} (JUnit tag "jazzer") of this package, as {@code Class#method}. */
  static List<String> targets(Launcher launcher) {
    TestPlan plan =
        launcher.discover(
            LauncherDiscoveryRequestBuilder.request()
                .selectors(selectPackage(FuzzMain.class.getPackageName()))
                .filters(TagFilter.includeTags("jazzer"))
                .build());
    List<String> out = new ArrayList<>();
    for (TestIdentifier root : plan.getRoots()) {
      for (TestIdentifier id : plan.getDescendants(root)) {
        if (id.getSource().orElse(null) instanceof MethodSource m) {
          String name =
              m.getClassName().substring(m.getClassName().lastIndexOf('.') + 1)
                  + "#"
                  + m.getMethodName();
          if (!out.contains(name)) {
            out.add(name);
          }
        }
      }
    }
    out.sort(null);
    return out;
  }
}
