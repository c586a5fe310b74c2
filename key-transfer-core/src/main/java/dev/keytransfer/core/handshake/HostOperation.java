package dev.keytransfer.core.handshake;

import dev.keytransfer.core.CertificateChain;
import dev.keytransfer.core.message.HandshakeMessage;
import dev.keytransfer.core.message.MessageType;
import java.util.Objects;

/**
 * What the host answers a terminal's fresh nonce with (TR-34 clause 5, Annex B): a key (two-pass
 * B.9 or one-pass B.8), an unbind (UBT-KDH B.14), a rebind to another KDH (RBT-KDH B.11), or a
 * token signed by the higher-level authority that the host relays (UBT-CA B.13, RBT-CA B.10).
 */
public sealed interface HostOperation {
  /**
   * The stable name the audit trail records: {@code DELIVER_KEY}, {@code DELIVER_KEY_ONE_PASS},
   * {@code UNBIND}, {@code REBIND}, {@code RELAY_CA_UNBIND} or {@code RELAY_CA_REBIND}.
   */
  default String auditName() {
    if (this instanceof DeliverKey) {
      return "DELIVER_KEY";
    }
    if (this instanceof DeliverKeyOnePass) {
      return "DELIVER_KEY_ONE_PASS";
    }
    if (this instanceof Unbind) {
      return "UNBIND";
    }
    if (this instanceof Rebind) {
      return "REBIND";
    }
    return "RELAY_" + ((RelayAuthorityToken) this).token().type().name();
  }

  /** Deliver a key in a two-pass key token (the default). */
  record DeliverKey() implements HostOperation {}

  /** Deliver a key in a one-pass key token, stamped with the host's clock. */
  record DeliverKeyOnePass() implements HostOperation {}

  /** Unbind the terminal from this host; it forgets the keys it received from it. */
  record Unbind() implements HostOperation {}

  /** Rebind the terminal to another KDH, whose chain is carried in the token. */
  record Rebind(CertificateChain newKdh) implements HostOperation {
    public Rebind {
      Objects.requireNonNull(newKdh, "newKdh");
    }
  }

  /** Relay an unbind or rebind token the authority signed (UBT-CA or RBT-CA). */
  record RelayAuthorityToken(HandshakeMessage token) implements HostOperation {
    public RelayAuthorityToken {
      if (token.type() != MessageType.CA_UNBIND && token.type() != MessageType.CA_REBIND) {
        throw new IllegalArgumentException("only UBT-CA and RBT-CA tokens are relayed");
      }
    }
  }

  static HostOperation deliverKey() {
    return new DeliverKey();
  }
}
