/**
 * TR-31 / ANSI X9.143:2021 key blocks: the format in which working keys travel under a terminal's
 * master key once TR-34 has delivered it, and in which a host stores keys.
 *
 * <ul>
 *   <li>{@link dev.keytransfer.crypto.keyblock.Tr31Codec}: wrap (strict, X9.143) and unwrap
 *       (lenient by default, strict on request) for versions A, B, C and D.
 *   <li>{@link dev.keytransfer.crypto.keyblock.Tr31Header} and its builder, with {@link
 *       dev.keytransfer.crypto.keyblock.OptionalBlock}s ({@code KS}, {@code IK}, {@code KC}, {@code
 *       KP}, {@code TS}, {@code PB}, any other kept as-is, extended lengths).
 *   <li>{@link dev.keytransfer.crypto.keyblock.UnwrappedKey}: header and clear key, closed after
 *       use.
 *   <li>{@link dev.keytransfer.crypto.keyblock.KeyBlockException}: every refusal, with a precise
 *       {@link dev.keytransfer.core.ErrorCode} ({@code KEY_BLOCK_*}, {@code KCV_MISMATCH}, {@code
 *       HEADER_MISMATCH}, {@code KEY_STRENGTH_POLICY}).
 * </ul>
 *
 * <p>Layout of a block (X9.143 6.1): {@code header (16 + optional blocks, aligned by PB) ||
 * hex(E(key length in bits (2) || key || padding)) || hex(MAC)}. docs/KEYBLOCKS.md describes what
 * is implemented; the tests run the vectors of {@code ../shared/vectors/tr31}.
 */
package dev.keytransfer.crypto.keyblock;
