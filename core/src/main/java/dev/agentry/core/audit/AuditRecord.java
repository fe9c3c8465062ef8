package dev.agentry.core.audit;

import java.time.Instant;

/**
 * An entry as the log holds it: its place in the chain, when it was written, and the hashes that link it to
 * the entry before.
 *
 * @param id       the entry's position: 1 for the first, each next one more, without gaps
 * @param at       when it was appended, to the microsecond
 * @param prevHash the hash of the entry before it (32 zero bytes for the first), in lowercase hex
 * @param hash     this entry's hash, see {@link AuditChain}, in lowercase hex
 */
public record AuditRecord(long id, Instant at, AuditEntry entry, String prevHash, String hash) {}
