"""Other AWS protocols cargohold answers: STS and a subset of IAM, over the AWS Query protocol."""
