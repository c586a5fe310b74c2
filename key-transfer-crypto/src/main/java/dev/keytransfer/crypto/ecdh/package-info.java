/**
 * The key derivation of the ECDH mode (docs/ECDH.md): {@link
 * dev.keytransfer.crypto.ecdh.KeyDerivation} turns the shared secret Z of {@link
 * dev.keytransfer.core.spi.CryptoProvider#agree} and the shared information into key-block
 * protection key bytes, with the NIST SP 800-56C rev. 2 one-step KDF or the ANSI X9.63 KDF. Keys
 * are {@link dev.keytransfer.core.SecretKeyMaterial}; argument errors are {@link
 * java.lang.IllegalArgumentException}s.
 */
package dev.keytransfer.crypto.ecdh;
