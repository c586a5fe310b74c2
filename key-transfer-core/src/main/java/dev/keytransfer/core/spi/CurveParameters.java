package dev.keytransfer.core.spi;

import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.spec.ECFieldFp;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.util.EnumMap;
import java.util.Map;

/**
 * The domain parameters of {@link Algorithms.Curve}, from the platform, compared field by field.
 */
final class CurveParameters {
  private static final Map<Algorithms.Curve, ECParameterSpec> SPECS = load();

  private CurveParameters() {}

  private static Map<Algorithms.Curve, ECParameterSpec> load() {
    Map<Algorithms.Curve, ECParameterSpec> m = new EnumMap<>(Algorithms.Curve.class);
    for (Algorithms.Curve c : Algorithms.Curve.values()) {
      try {
        AlgorithmParameters p = AlgorithmParameters.getInstance("EC");
        p.init(new ECGenParameterSpec(c.jcaName()));
        m.put(c, p.getParameterSpec(ECParameterSpec.class));
      } catch (GeneralSecurityException e) {
        // a platform without this curve: keys on it are never recognised
      }
    }
    return m;
  }

  /** The platform's parameters of {@code curve}, or null where it has none. */
  static ECParameterSpec spec(Algorithms.Curve curve) {
    return SPECS.get(curve);
  }

  static boolean matches(Algorithms.Curve curve, ECParameterSpec p) {
    ECParameterSpec q = SPECS.get(curve);
    if (q == null || p == null || !(p.getCurve().getField() instanceof ECFieldFp f)) {
      return false;
    }
    return f.getP().equals(((ECFieldFp) q.getCurve().getField()).getP())
        && p.getCurve().getA().equals(q.getCurve().getA())
        && p.getCurve().getB().equals(q.getCurve().getB())
        && p.getGenerator().equals(q.getGenerator())
        && p.getOrder().equals(q.getOrder())
        && p.getCofactor() == q.getCofactor();
  }
}
