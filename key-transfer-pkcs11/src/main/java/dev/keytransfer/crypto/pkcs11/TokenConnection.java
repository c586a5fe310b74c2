package dev.keytransfer.crypto.pkcs11;

import dev.keytransfer.core.ErrorCode;
import dev.keytransfer.core.KeyTransferException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xipki.pkcs11.wrapper.PKCS11Constants;
import org.xipki.pkcs11.wrapper.PKCS11Exception;
import org.xipki.pkcs11.wrapper.PKCS11Module;
import org.xipki.pkcs11.wrapper.Session;
import org.xipki.pkcs11.wrapper.Slot;
import org.xipki.pkcs11.wrapper.StaticLogger;
import org.xipki.pkcs11.wrapper.Token;
import org.xipki.pkcs11.wrapper.TokenException;

/**
 * One logged-in token of one PKCS#11 module, shared by every provider in this JVM that names it.
 *
 * <p>PKCS#11 allows one {@code C_Initialize} per module per process, and a login is per
 * application, not per session: two providers on the same token share it. So modules and logins are
 * counted here: the first provider initialises the module and logs in (one long-lived session keeps
 * the login), the last one to close logs out and finalises. A second provider on an already
 * logged-in token must present the same PIN (compared as a salted hash in constant time), so that a
 * wrong PIN cannot ride on someone else's login.
 *
 * <p>Operations each get a fresh session ({@link #openSession()}) that the caller closes: a failed
 * operation can leave a session's operation state active, and session objects (imported
 * content-encryption keys) are destroyed by the token when their session closes.
 */
final class TokenConnection {
  private static final Logger log = LoggerFactory.getLogger(TokenConnection.class);
  private static final Map<Path, ModuleEntry> MODULES = new HashMap<>();
  private static final SecureRandom SALT = new SecureRandom();

  static {
    // ipkcs11wrapper prints INFO lines to stdout unless given a logger. Only warnings and errors
    // are passed on: its debug output may name attribute values (docs/SECURITY.md K6).
    StaticLogger.setLogger(new QuietLogger());
  }

  private static final class ModuleEntry {
    final PKCS11Module module;

    /**
     * False if another component of this JVM had initialised the module: then never finalise it.
     */
    final boolean initializedHere;

    final Map<Long, LoginEntry> logins = new HashMap<>();
    int refs;

    ModuleEntry(PKCS11Module module, boolean initializedHere) {
      this.module = module;
      this.initializedHere = initializedHere;
    }
  }

  private static final class LoginEntry {
    final Token token;
    final Session loginSession;
    final byte[] salt;
    final byte[] pinHash;
    int refs;

    LoginEntry(Token token, Session loginSession, byte[] salt, byte[] pinHash) {
      this.token = token;
      this.loginSession = loginSession;
      this.salt = salt;
      this.pinHash = pinHash;
    }
  }

  private final Path library;
  private final long slotId;
  private final LoginEntry login;
  private boolean released;

  private TokenConnection(Path library, long slotId, LoginEntry login) {
    this.library = library;
    this.slotId = slotId;
    this.login = login;
  }

  /**
   * Initialises the module if needed, finds the token and logs in if needed.
   *
   * @throws KeyTransferException {@code CRYPTO_FAILURE}: library missing or not a PKCS#11 module,
   *     no such token, wrong PIN
   */
  static TokenConnection acquire(Pkcs11Config config) throws KeyTransferException {
    Path library;
    try {
      library = config.library().toRealPath();
    } catch (IOException e) {
      throw failure("PKCS#11 library " + config.library() + " not found", e);
    }
    synchronized (TokenConnection.class) {
      ModuleEntry m = MODULES.get(library);
      boolean newModule = m == null;
      if (newModule) {
        m = initialize(library);
      }
      try {
        Token token = findToken(m.module, config);
        long slot = token.getTokenID();
        LoginEntry l = m.logins.get(slot);
        char[] pin = config.pin();
        try {
          if (l == null) {
            l = login(token, pin);
            m.logins.put(slot, l);
          } else if (!MessageDigest.isEqual(l.pinHash, pinHash(l.salt, pin))) {
            throw failure("the PIN does not match the one this token is logged in with", null);
          }
        } finally {
          Arrays.fill(pin, '\0');
        }
        l.refs++;
        m.refs++;
        MODULES.put(library, m);
        return new TokenConnection(library, slot, l);
      } catch (KeyTransferException | RuntimeException e) {
        if (newModule && m.refs == 0 && m.initializedHere) {
          finalizeQuietly(m.module);
        }
        throw e;
      }
    }
  }

  /** The token (for mechanism lists and sessions). */
  Token token() {
    return login.token;
  }

  /** The slot id of the token. */
  long slotId() {
    return slotId;
  }

  /**
   * True if {@code other} is a connection to the same logged-in token (object handles are valid in
   * both).
   */
  boolean sameToken(TokenConnection other) {
    return other != null && other.login == login;
  }

  /** A new read-write session; the caller closes it. */
  Session openSession() throws PKCS11Exception {
    return login.token.openSession(true);
  }

  /**
   * Gives up this connection: logs out and finalises the module when it was the last one.
   * Idempotent.
   */
  void release() {
    synchronized (TokenConnection.class) {
      if (released) {
        return;
      }
      released = true;
      ModuleEntry m = MODULES.get(library);
      if (m == null) {
        return;
      }
      if (--login.refs == 0) {
        m.logins.remove(slotId);
        try {
          login.loginSession.logout();
        } catch (PKCS11Exception e) {
          log.warn("PKCS#11 logout failed: {}", e.getErrorName());
        }
        try {
          login.loginSession.closeSession();
        } catch (PKCS11Exception e) {
          log.warn("PKCS#11 session close failed: {}", e.getErrorName());
        }
        Arrays.fill(login.pinHash, (byte) 0);
      }
      if (--m.refs == 0) {
        MODULES.remove(library);
        if (m.initializedHere) {
          finalizeQuietly(m.module);
        }
      }
    }
  }

  private static ModuleEntry initialize(Path library) throws KeyTransferException {
    PKCS11Module module;
    try {
      module = PKCS11Module.getInstance(library.toString());
    } catch (IOException | RuntimeException | UnsatisfiedLinkError e) {
      throw failure("cannot load PKCS#11 library " + library, e);
    }
    try {
      module.initialize();
      return new ModuleEntry(module, true);
    } catch (PKCS11Exception e) {
      if (e.getErrorCode() != PKCS11Constants.CKR_CRYPTOKI_ALREADY_INITIALIZED) {
        throw failure("C_Initialize of " + library + " failed: " + e.getErrorName(), e);
      }
      // another component of this JVM (e.g. SunPKCS11) initialised it: share it, never finalise it
      log.debug("PKCS#11 module {} was already initialised in this process", library);
      return new ModuleEntry(module, false);
    }
  }

  private static Token findToken(PKCS11Module module, Pkcs11Config config)
      throws KeyTransferException {
    try {
      for (Slot slot : module.getSlotList(true)) {
        Token t = slot.getToken();
        boolean match =
            config.slotId() != null
                ? slot.getSlotID() == config.slotId()
                : config.tokenLabel().equals(t.getTokenInfo().getLabel().trim());
        if (match) {
          return t;
        }
      }
    } catch (TokenException e) {
      throw failure("cannot list the PKCS#11 slots", e);
    }
    throw failure(
        "no PKCS#11 token "
            + (config.slotId() != null
                ? "in slot " + config.slotId()
                : "labelled '" + config.tokenLabel() + "'"),
        null);
  }

  private static LoginEntry login(Token token, char[] pin) throws KeyTransferException {
    Session s;
    try {
      s = token.openSession(true);
    } catch (PKCS11Exception e) {
      throw failure("cannot open a PKCS#11 session: " + e.getErrorName(), e);
    }
    try {
      s.login(PKCS11Constants.CKU_USER, pin);
    } catch (PKCS11Exception e) {
      if (e.getErrorCode() != PKCS11Constants.CKR_USER_ALREADY_LOGGED_IN) {
        closeQuietly(s);
        throw failure("PKCS#11 login failed: " + e.getErrorName(), null);
      }
    }
    byte[] salt = new byte[16];
    SALT.nextBytes(salt);
    return new LoginEntry(token, s, salt, pinHash(salt, pin));
  }

  private static byte[] pinHash(byte[] salt, char[] pin) {
    try {
      MessageDigest d = MessageDigest.getInstance("SHA-256");
      d.update(salt);
      byte[] p = new String(pin).getBytes(StandardCharsets.UTF_8);
      d.update(p);
      Arrays.fill(p, (byte) 0);
      return d.digest();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from the JDK", e);
    }
  }

  static void closeQuietly(Session s) {
    if (s != null) {
      try {
        s.closeSession();
      } catch (PKCS11Exception e) {
        log.debug("PKCS#11 session close failed: {}", e.getErrorName());
      }
    }
  }

  private static void finalizeQuietly(PKCS11Module module) {
    try {
      module.finalize(null);
    } catch (PKCS11Exception e) {
      log.debug("C_Finalize failed: {}", e.getErrorName());
    }
  }

  private static KeyTransferException failure(String message, Throwable cause) {
    return new KeyTransferException(ErrorCode.CRYPTO_FAILURE, message, cause);
  }

  @Override
  public String toString() {
    return "TokenConnection[" + library + ", slot " + slotId + "]";
  }

  /** Passes ipkcs11wrapper's warnings and errors to slf4j and drops the rest. */
  private static final class QuietLogger implements org.xipki.pkcs11.wrapper.Logger {
    private static final Logger out = LoggerFactory.getLogger("org.xipki.pkcs11.wrapper");

    @Override
    public void info(String format, Object... arguments) {}

    @Override
    public void warn(String format, Object... arguments) {
      out.warn(format, arguments);
    }

    @Override
    public void error(String format, Object... arguments) {
      out.error(format, arguments);
    }

    @Override
    public void debug(String format, Object... arguments) {}

    @Override
    public void trace(String format, Object... arguments) {}

    @Override
    public boolean isDebugEnabled() {
      return false;
    }

    @Override
    public boolean isInfoEnabled() {
      return false;
    }

    @Override
    public boolean isWarnEnabled() {
      return out.isWarnEnabled();
    }

    @Override
    public boolean isTraceEnabled() {
      return false;
    }
  }
}
