"""The OCI Distribution API on /v2/."""
