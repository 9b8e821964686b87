"""The `cargohold` command line."""
