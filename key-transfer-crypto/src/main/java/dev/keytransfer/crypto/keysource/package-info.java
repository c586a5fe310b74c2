/**
 * Host key sources ({@link dev.keytransfer.core.spi.KeySource}s) beyond core's fresh random master
 * keys: {@link dev.keytransfer.crypto.keysource.DukptInitialKeySource} gives each device its DUKPT
 * initial key (ANSI X9.24-1:2009 IPEK or X9.24-3:2017 initial key) with its KSN or initial key ID
 * in the TR-34 header ({@code KS} or {@code IK}, X9.143 6.3.6); {@link
 * dev.keytransfer.crypto.keysource.FixedKeySource} gives every device one known key and exists for
 * tests only.
 */
package dev.keytransfer.crypto.keysource;
