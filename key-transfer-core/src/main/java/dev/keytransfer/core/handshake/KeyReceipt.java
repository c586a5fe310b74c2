package dev.keytransfer.core.handshake;

import dev.keytransfer.core.IssuerAndSerial;
import dev.keytransfer.core.KeyBlockHeader;
import dev.keytransfer.core.KeyCheckValue;

/**
 * What a terminal can tell about a key it installed: header, KCV and the delivering KDH. Never the
 * key itself.
 */
public record KeyReceipt(KeyBlockHeader header, KeyCheckValue kcv, IssuerAndSerial kdh, String kdhSubject) {}
