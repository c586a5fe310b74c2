package dev.keytransfer.crypto.pki;

import java.util.Set;

/**
 * The RFC 5280 6.1.1 user inputs that the SDK's own validation leaves at their defaults but the
 * PKITS suite varies (its "settings1".."settings10"): user-initial-policy-set (empty = any-policy),
 * initial-explicit-policy, initial-policy-mapping-inhibit and initial-any-policy-inhibit.
 */
record PkixSettings(
    Set<String> initialPolicies,
    boolean explicitPolicyRequired,
    boolean policyMappingInhibited,
    boolean anyPolicyInhibited) {

  /** any-policy, nothing required or inhibited: what {@link PkixCertificateValidator} uses. */
  static final PkixSettings DEFAULT = new PkixSettings(Set.of(), false, false, false);

  PkixSettings {
    initialPolicies = Set.copyOf(initialPolicies);
  }
}
