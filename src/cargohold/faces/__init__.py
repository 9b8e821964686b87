"""Wire protocols over the registry service: /v2 (OCI), the ECR JSON API, the web dashboard."""
