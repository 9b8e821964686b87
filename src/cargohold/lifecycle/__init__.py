"""Lifecycle policies: ECR's rule grammar, validation and a pure evaluator that explains itself."""
