"""The ECR control plane: AWS JSON 1.1 on `POST /`, driven by botocore's own ECR service model."""
