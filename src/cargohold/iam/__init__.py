"""Identity: principals, access keys, registry tokens and the authorizer."""
