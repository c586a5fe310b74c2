/** The host application runs on the module path: it proves the library's module descriptors. */
module com.example.keyhost {
  requires dev.keytransfer.bc;
  requires dev.keytransfer.transport;
  requires dev.keytransfer.jdbc;
}
