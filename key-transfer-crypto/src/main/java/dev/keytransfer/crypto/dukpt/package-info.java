/**
 * Derived unique key per transaction (DUKPT) key derivation, host and device side: {@link
 * dev.keytransfer.crypto.dukpt.TdesDukpt} (ANSI X9.24-1:2009, with {@link
 * dev.keytransfer.crypto.dukpt.TdesKsn}) and {@link dev.keytransfer.crypto.dukpt.AesDukpt} (ANSI
 * X9.24-3:2017, with {@link dev.keytransfer.crypto.dukpt.AesKsn}). A key host that serves DUKPT
 * terminals distributes each device's initial key over TR-34 with {@link
 * dev.keytransfer.crypto.keysource.DukptInitialKeySource}. All keys are {@link
 * dev.keytransfer.core.SecretKeyMaterial}; argument errors (wrong key lengths, a working key
 * stronger than its initial key) are {@link java.lang.IllegalArgumentException}s.
 */
package dev.keytransfer.crypto.dukpt;
