"""The domain service: the only writer of registry state, shared by every face."""
