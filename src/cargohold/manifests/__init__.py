"""Media types and the parsing and validation of Docker v2 and OCI manifests and indexes."""
