package dev.keytransfer.core.handshake;

import dev.keytransfer.core.KeyBlockHeader;
import dev.keytransfer.core.KeyCheckValue;

/** What the host can tell about a completed delivery: ledger session, terminal, header and KCV. */
public record DeliveryReceipt(String sessionId, String terminalSubject, KeyBlockHeader header, KeyCheckValue kcv) {}
