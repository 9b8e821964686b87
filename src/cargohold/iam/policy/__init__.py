"""The IAM policy language: parsing, matching, conditions and evaluation. Pure: plain data in,
plain data out, no I/O and no clock (the request context carries `now`)."""
