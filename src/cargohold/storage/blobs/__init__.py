"""Blob storage drivers: where the bytes live, addressed by digest."""
