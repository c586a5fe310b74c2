-- key-transfer host ledger, schema 2. Portable SQL, as schema 1.
--
-- The host's per-device questions all name a status: the open (DELIVERED) master keys of a
-- device, its latest CONFIRMED one, its earlier open ones that a confirmation supersedes. Schema 1
-- answered them from (device_serial, device_issuer, recorded_seq), reading every delivery the
-- device ever had, so each confirmation cost grew with the device's history. One index led by
-- the status answers them in a range of the device's rows in that status; the expiry sweep
-- (status = 'DELIVERED' AND delivered_at < ?) reads only the open deliveries, a small set. The
-- audit trail's session index served no query and cost every appended record a B-tree update.
DROP INDEX kt_delivery_device;
DROP INDEX kt_delivery_open;
DROP INDEX kt_audit_session;
CREATE INDEX kt_delivery_open ON kt_delivery (status, device_serial, device_issuer, recorded_seq);
