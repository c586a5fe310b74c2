package dev.keytransfer.crypto.pkcs11;

import dev.keytransfer.core.ErrorCode;
import dev.keytransfer.core.KeyTransferException;
import dev.keytransfer.core.spi.Algorithms;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;

/**
 * The Java side of the provider's EC keys (docs/ECDH.md): the {@code CKA_EC_PARAMS} of each curve,
 * points to and from the token's {@code CKA_EC_POINT}, public-key validation before a point reaches
 * the token, and the X9.62 {@code ECDSA-Sig-Value} DER encoding of the {@code r || s} that {@code
 * CKM_ECDSA} produces and consumes. Only public values pass through here.
 */
final class EcKeys {
  private EcKeys() {}

  /** {@code CKA_EC_PARAMS}: the DER of the namedCurve OID. */
  static byte[] ecParams(Algorithms.Curve curve) {
    return switch (curve) {
      case P256 ->
          new byte[] {0x06, 0x08, 0x2A, (byte) 0x86, 0x48, (byte) 0xCE, 0x3D, 0x03, 0x01, 0x07};
      case P384 -> new byte[] {0x06, 0x05, 0x2B, (byte) 0x81, 0x04, 0x00, 0x22};
      case P521 -> new byte[] {0x06, 0x05, 0x2B, (byte) 0x81, 0x04, 0x00, 0x23};
    };
  }

  /** The uncompressed SEC 1 encoding {@code 04 || x || y}. */
  static byte[] uncompressed(ECPoint w, Algorithms.Curve curve) {
    int n = curve.fieldLength();
    byte[] out = new byte[1 + 2 * n];
    out[0] = 0x04;
    unsigned(w.getAffineX(), out, 1, n);
    unsigned(w.getAffineY(), out, 1 + n, n);
    return out;
  }

  /**
   * The point of a {@code CKA_EC_POINT} value, which PKCS#11 2.40 defines as the DER OCTET STRING
   * of the uncompressed point; the bare point is accepted too (tokens differ). Null if it is
   * neither.
   */
  static ECPoint point(byte[] ecPoint, Algorithms.Curve curve) {
    int n = curve.fieldLength();
    int bare = 1 + 2 * n;
    int from;
    if (ecPoint.length == bare) {
      from = 0;
    } else if (ecPoint.length == bare + 2 && bare < 0x80 && ecPoint[0] == 0x04) {
      from = ecPoint[1] == bare ? 2 : -1;
    } else if (ecPoint.length == bare + 3 && ecPoint[0] == 0x04) {
      from = (ecPoint[1] & 0xFF) == 0x81 && (ecPoint[2] & 0xFF) == bare ? 3 : -1;
    } else {
      from = -1;
    }
    if (from < 0 || ecPoint[from] != 0x04) {
      return null;
    }
    byte[] x = new byte[n];
    byte[] y = new byte[n];
    System.arraycopy(ecPoint, from + 1, x, 0, n);
    System.arraycopy(ecPoint, from + 1 + n, y, 0, n);
    return new ECPoint(new BigInteger(1, x), new BigInteger(1, y));
  }

  /** The JCA public key of a point already validated on {@code curve}. */
  static ECPublicKey publicKey(ECPoint w, Algorithms.Curve curve) throws KeyTransferException {
    try {
      return (ECPublicKey)
          KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(w, curve.parameters()));
    } catch (GeneralSecurityException | RuntimeException e) {
      throw new KeyTransferException(
          ErrorCode.CRYPTO_FAILURE, "the token returned an unusable EC public key", e);
    }
  }

  /** The DER {@code ECDSA-Sig-Value} of a {@code CKM_ECDSA} signature {@code r || s}. */
  static byte[] toDer(byte[] rs) {
    int n = rs.length / 2;
    byte[] r = derInteger(new BigInteger(1, java.util.Arrays.copyOfRange(rs, 0, n)));
    byte[] s = derInteger(new BigInteger(1, java.util.Arrays.copyOfRange(rs, n, rs.length)));
    int len = r.length + s.length;
    byte[] head =
        len < 0x80 ? new byte[] {0x30, (byte) len} : new byte[] {0x30, (byte) 0x81, (byte) len};
    byte[] out = new byte[head.length + len];
    System.arraycopy(head, 0, out, 0, head.length);
    System.arraycopy(r, 0, out, head.length, r.length);
    System.arraycopy(s, 0, out, head.length + r.length, s.length);
    return out;
  }

  /**
   * The {@code r || s} ({@link Algorithms.Curve#fieldLength()} bytes each) of a DER {@code
   * ECDSA-Sig-Value}, or null unless the encoding is strict DER (definite minimal lengths, minimal
   * non-negative INTEGERs, no trailing bytes) and {@code 1 <= r, s < n}.
   */
  static byte[] fromDer(byte[] der, Algorithms.Curve curve) {
    if (der == null || der.length < 8 || der[0] != 0x30) {
      return null;
    }
    int pos;
    int len;
    if ((der[1] & 0xFF) < 0x80) {
      len = der[1] & 0xFF;
      pos = 2;
    } else if ((der[1] & 0xFF) == 0x81 && der.length > 2 && (der[2] & 0xFF) >= 0x80) {
      len = der[2] & 0xFF;
      pos = 3;
    } else {
      return null;
    }
    if (pos + len != der.length) {
      return null;
    }
    BigInteger order = curve.parameters().getOrder();
    int n = curve.fieldLength();
    byte[] out = new byte[2 * n];
    for (int i = 0; i < 2; i++) {
      if (pos + 2 > der.length || der[pos] != 0x02) {
        return null;
      }
      int l = der[pos + 1] & 0xFF;
      pos += 2;
      if (l == 0 || l >= 0x80 || pos + l > der.length) {
        return null; // an INTEGER of at most 67 bytes always has a short-form length
      }
      if ((der[pos] & 0x80) != 0 || (l > 1 && der[pos] == 0 && (der[pos + 1] & 0x80) == 0)) {
        return null; // negative, or not minimal
      }
      BigInteger v = new BigInteger(1, java.util.Arrays.copyOfRange(der, pos, pos + l));
      if (v.signum() <= 0 || v.compareTo(order) >= 0) {
        return null;
      }
      unsigned(v, out, i * n, n);
      pos += l;
    }
    return pos == der.length ? out : null;
  }

  /** The unsigned big-endian {@code length}-byte encoding of {@code v} (which fits). */
  static byte[] unsigned(BigInteger v, int length) {
    byte[] out = new byte[length];
    unsigned(v, out, 0, length);
    return out;
  }

  private static void unsigned(BigInteger v, byte[] out, int offset, int length) {
    byte[] b = v.toByteArray();
    int skip = b.length > length ? b.length - length : 0; // the sign byte
    System.arraycopy(b, skip, out, offset + length - (b.length - skip), b.length - skip);
  }

  private static byte[] derInteger(BigInteger v) {
    byte[] b = v.toByteArray(); // minimal two's complement: a leading 00 only where needed
    byte[] out = new byte[2 + b.length];
    out[0] = 0x02;
    out[1] = (byte) b.length;
    System.arraycopy(b, 0, out, 2, b.length);
    return out;
  }
}
