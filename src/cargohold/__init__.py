"""cargohold: a container registry that speaks the OCI Distribution API and Amazon ECR's control plane."""

__version__ = "0.1.0"
