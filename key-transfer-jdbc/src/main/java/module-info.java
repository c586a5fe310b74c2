/**
 * The key host's durable ledger and audit trail on JDBC ({@link
 * dev.keytransfer.jdbc.JdbcKeyLedger}): an embedded H2 file database by default, PostgreSQL for a
 * fleet of hosts.
 */
module dev.keytransfer.jdbc {
  requires transitive dev.keytransfer.crypto;
  requires transitive java.sql;
  requires flyway.core; // no Automatic-Module-Name: named after its jar
  requires com.zaxxer.hikari;
  requires org.slf4j;

  exports dev.keytransfer.jdbc;
}
