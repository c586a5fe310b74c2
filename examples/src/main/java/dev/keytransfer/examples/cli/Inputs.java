package dev.keytransfer.examples.cli;

import dev.keytransfer.core.KeyTransferException;
import dev.keytransfer.core.SecretKeyMaterial;
import dev.keytransfer.core.spi.Algorithms;
import dev.keytransfer.crypto.DerLimits;
import dev.keytransfer.crypto.Pem;
import dev.keytransfer.crypto.SoftwareKeyHandle;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.PublicKey;
import java.security.UnrecoverableKeyException;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.jcajce.provider.asymmetric.util.EC5Util;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8DecryptorProviderBuilder;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;
import org.bouncycastle.pkcs.PKCSException;

/** Reading and writing the files the commands take, with one-line errors. */
final class Inputs {
  private Inputs() {}

  /**
   * The bytes of {@code f}, at most {@link Pem#MAX_INPUT_LENGTH}; else one line that says why not:
   * no such file, permission denied, a directory, too large.
   */
  static byte[] read(Path f) {
    return read(f, null);
  }

  /** As {@link #read(Path)}, the message starting with {@code option} when not null. */
  static byte[] read(Path f, String option) {
    try {
      return Pem.readFile(f);
    } catch (IOException e) {
      throw new CliException((option == null ? "" : option + ": ") + unreadable(f, e));
    }
  }

  /** Why {@code f} cannot be read, in a few words: {@code "no such file: F"}, ... */
  static String unreadable(Path f, IOException e) {
    if (e instanceof NoSuchFileException) {
      return "no such file: " + f;
    }
    return "cannot read " + f + ": " + reason(e);
  }

  /** The reason of a file system failure without the file name: "permission denied", ... */
  static String reason(IOException e) {
    if (e instanceof AccessDeniedException) {
      return "permission denied";
    }
    if (e instanceof NoSuchFileException) {
      return "no such file or directory";
    }
    if (e instanceof FileSystemException fs && fs.getReason() != null) {
      return fs.getReason();
    }
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }

  /** Token or request bytes given as DER, PEM or hex text. */
  static byte[] binary(Path f) {
    byte[] raw = read(f);
    if (raw.length > 0 && (raw[0] & 0xFF) == 0x30) {
      return raw;
    }
    String text = new String(raw, StandardCharsets.US_ASCII).strip();
    try {
      if (text.startsWith("-----BEGIN")) {
        String body = text.replaceAll("-----[A-Z0-9 ]+-----", "").replaceAll("\\s", "");
        return Base64.getDecoder().decode(body);
      }
      return HexFormat.of().parseHex(text.replaceAll("\\s", ""));
    } catch (IllegalArgumentException e) {
      throw new CliException(f + " is neither DER, PEM nor hex");
    }
  }

  static byte[] hex(String value, String option) {
    try {
      return HexFormat.of().parseHex(value.strip());
    } catch (IllegalArgumentException e) {
      throw new CliException(option + " must be hex: " + e.getMessage());
    }
  }

  /**
   * A key given in hex on the command line, adopted into {@link SecretKeyMaterial} (the caller
   * closes it). The error message never repeats the value.
   */
  static SecretKeyMaterial secretHex(String value, String option) {
    String s = value.strip();
    if (!isHex(s)) {
      throw new CliException(
          option + " must be an even, non-zero number of hex digits (value not shown)");
    }
    return SecretKeyMaterial.adopt(HexFormat.of().parseHex(s));
  }

  /**
   * A public hex value (a KSN, an initial key ID) in upper case, checked to be whole bytes of hex.
   */
  static String hexDigits(String value, String option) {
    String s = value.strip();
    if (!isHex(s)) {
      throw new CliException(option + " must be an even, non-zero number of hex digits: " + value);
    }
    return s.toUpperCase(Locale.ROOT);
  }

  private static boolean isHex(String s) {
    return !s.isEmpty() && s.length() % 2 == 0 && s.chars().allMatch(HexFormat::isHexDigit);
  }

  /** A one-line text given inline or in a file (surrounding white space removed). */
  static String text(String inline, Path file) {
    return (inline != null ? inline : new String(read(file), StandardCharsets.US_ASCII)).strip();
  }

  static X509Certificate certificate(Path f) {
    return certificates(f).get(0);
  }

  static List<X509Certificate> certificates(Path f) {
    try {
      return Pem.certificates(read(f));
    } catch (KeyTransferException e) {
      throw new CliException(f + ": " + e.getMessage());
    }
  }

  static X509CRL crl(Path f) {
    try {
      return Pem.crl(read(f));
    } catch (KeyTransferException e) {
      throw new CliException(f + ": " + e.getMessage());
    }
  }

  /**
   * An RSA or EC private key file; when it is encrypted (as {@code keytransfer ca} writes every
   * key), the passphrase is asked for, used and wiped.
   */
  static SoftwareKeyHandle privateKey(Path f, PassphraseOption passphrase) {
    byte[] pem = read(f);
    char[] p = null;
    try {
      if (!Pem.isEncryptedPrivateKey(pem)) {
        return SoftwareKeyHandle.of(Pem.keyPair(pem), f.getFileName().toString());
      }
      p = passphrase.read(f.toString(), false);
      return SoftwareKeyHandle.of(Pem.keyPair(pem, p), f.getFileName().toString());
    } catch (KeyTransferException | UnrecoverableKeyException e) {
      throw new CliException(f + ": " + e.getMessage());
    } finally {
      PassphraseOption.wipe(p);
      Arrays.fill(pem, (byte) 0);
    }
  }

  /**
   * An EC private key file on P-256, P-384 or P-521 with its public half: PEM PKCS#8 "PRIVATE KEY",
   * "ENCRYPTED PRIVATE KEY" (the passphrase asked for, used and wiped), SEC 1 "EC PRIVATE KEY", or
   * PKCS#8 DER. The public point is the one the file carries, else computed from the scalar; both
   * halves are the platform's key objects.
   */
  static SoftwareKeyHandle ecPrivateKey(Path f, PassphraseOption passphrase, String option) {
    byte[] pem = read(f, option);
    char[] p = null;
    try {
      PrivateKeyInfo info;
      if (pem.length > 0 && (pem[0] & 0xFF) == 0x30) {
        DerLimits.check(pem, Pem.MAX_INPUT_LENGTH, "private key");
        info = PrivateKeyInfo.getInstance(pem);
      } else {
        Object o;
        try (PEMParser parser =
            new PEMParser(new StringReader(new String(pem, StandardCharsets.US_ASCII)))) {
          // skip what may come before the key ("EC PARAMETERS" from openssl ecparam -genkey)
          do {
            o = parser.readObject();
          } while (o != null
              && !(o instanceof PEMKeyPair
                  || o instanceof PrivateKeyInfo
                  || o instanceof PKCS8EncryptedPrivateKeyInfo));
        }
        if (o instanceof PEMKeyPair kp) {
          info = kp.getPrivateKeyInfo();
        } else if (o instanceof PrivateKeyInfo pki) {
          info = pki;
        } else if (o instanceof PKCS8EncryptedPrivateKeyInfo enc) {
          p = passphrase.read(f.toString(), false);
          try {
            info =
                enc.decryptPrivateKeyInfo(
                    new JceOpenSSLPKCS8DecryptorProviderBuilder()
                        .setProvider(new BouncyCastleProvider())
                        .build(p));
          } catch (PKCSException | org.bouncycastle.operator.OperatorCreationException e) {
            throw new CliException(f + ": wrong passphrase, or the file is damaged");
          }
        } else {
          throw new CliException(option + ": " + f + " holds no EC private key in PEM");
        }
      }
      if (!X9ObjectIdentifiers.id_ecPublicKey.equals(
          info.getPrivateKeyAlgorithm().getAlgorithm())) {
        throw new CliException(option + ": " + f + " is not an EC private key");
      }
      KeyFactory kf = KeyFactory.getInstance("EC");
      ECPrivateKey priv =
          (ECPrivateKey) kf.generatePrivate(new PKCS8EncodedKeySpec(info.getEncoded()));
      org.bouncycastle.math.ec.ECPoint q =
          EC5Util.convertSpec(priv.getParams()).getG().multiply(priv.getS()).normalize();
      PublicKey pub =
          kf.generatePublic(
              new ECPublicKeySpec(
                  new java.security.spec.ECPoint(
                      q.getAffineXCoord().toBigInteger(), q.getAffineYCoord().toBigInteger()),
                  priv.getParams()));
      org.bouncycastle.asn1.sec.ECPrivateKey sec1 =
          org.bouncycastle.asn1.sec.ECPrivateKey.getInstance(info.parsePrivateKey());
      if (sec1.getPublicKey() != null
          && !Arrays.equals(sec1.getPublicKey().getOctets(), q.getEncoded(false))
          && !Arrays.equals(sec1.getPublicKey().getOctets(), q.getEncoded(true))) {
        throw new CliException(
            option + ": " + f + ": its public key does not match its private key");
      }
      if (Algorithms.Curve.of(pub) == null) {
        throw new CliException(option + ": " + f + ": the key is not on P-256, P-384 or P-521");
      }
      return SoftwareKeyHandle.of(new KeyPair(pub, priv), f.getFileName().toString());
    } catch (IOException | GeneralSecurityException | KeyTransferException | RuntimeException e) {
      if (e instanceof CliException c) {
        throw c;
      }
      throw new CliException(option + ": " + f + " is not a readable EC private key");
    } finally {
      PassphraseOption.wipe(p);
      Arrays.fill(pem, (byte) 0);
    }
  }

  static void write(Path f, byte[] content) {
    try {
      if (f.getParent() != null) {
        Files.createDirectories(f.getParent());
      }
      Files.write(f, content);
    } catch (IOException e) {
      throw new CliException("cannot write " + f + ": " + reason(e));
    }
  }

  static void write(Path f, String content) {
    write(f, content.getBytes(StandardCharsets.US_ASCII));
  }

  static String lower(String s) {
    return s.toLowerCase(Locale.ROOT);
  }
}
