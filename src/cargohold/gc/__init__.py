"""Online garbage collection: gives the bytes back without a read-only window."""
