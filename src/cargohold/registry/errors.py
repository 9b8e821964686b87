"""One exception family for every domain failure.

Each error knows how both faces spell it: the OCI code and HTTP status for /v2, and the ECR
exception name for the JSON API, so a rule broken through either face reads the way that protocol's
clients expect.
"""

from __future__ import annotations

from typing import Any, ClassVar


class RegistryError(Exception):
    oci_code: ClassVar[str] = "UNKNOWN"
    status: ClassVar[int] = 400
    ecr_type: ClassVar[str] = "ServerException"

    def __init__(self, message: str, detail: Any = None, *, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail
        if status is not None:
            self.status_override: int | None = status
        else:
            self.status_override = None

    @property
    def http_status(self) -> int:
        return self.status_override or self.status


class NameInvalid(RegistryError):
    oci_code, status, ecr_type = "NAME_INVALID", 400, "InvalidParameterException"


class NameUnknown(RegistryError):
    oci_code, status, ecr_type = "NAME_UNKNOWN", 404, "RepositoryNotFoundException"


class RepositoryAlreadyExists(RegistryError):
    oci_code, status, ecr_type = "DENIED", 409, "RepositoryAlreadyExistsException"


class RepositoryNotEmpty(RegistryError):
    oci_code, status, ecr_type = "DENIED", 409, "RepositoryNotEmptyException"


class BlobUnknown(RegistryError):
    oci_code, status, ecr_type = "BLOB_UNKNOWN", 404, "LayersNotFoundException"


class BlobUploadUnknown(RegistryError):
    oci_code, status, ecr_type = "BLOB_UPLOAD_UNKNOWN", 404, "UploadNotFoundException"


class BlobUploadInvalid(RegistryError):
    oci_code, status, ecr_type = "BLOB_UPLOAD_INVALID", 400, "InvalidLayerPartException"


class RangeInvalid(BlobUploadInvalid):
    """A chunk that does not start where the upload ends: 416, as the spec demands."""

    status = 416


class DigestInvalid(RegistryError):
    oci_code, status, ecr_type = "DIGEST_INVALID", 400, "InvalidLayerException"


class SizeInvalid(RegistryError):
    oci_code, status, ecr_type = "SIZE_INVALID", 400, "InvalidLayerException"


class ManifestInvalid(RegistryError):
    oci_code, status, ecr_type = "MANIFEST_INVALID", 400, "InvalidParameterException"


class ManifestTooLarge(ManifestInvalid):
    status = 413


class ManifestUnknown(RegistryError):
    oci_code, status, ecr_type = "MANIFEST_UNKNOWN", 404, "ImageNotFoundException"


class ManifestBlobUnknown(RegistryError):
    oci_code, status, ecr_type = "MANIFEST_BLOB_UNKNOWN", 400, "LayersNotFoundException"


class ReferencedManifestUnknown(RegistryError):
    """An index names a child manifest the repository does not hold."""

    oci_code, status, ecr_type = "MANIFEST_UNKNOWN", 400, "ReferencedImagesNotFoundException"


class TagInvalid(RegistryError):
    oci_code, status, ecr_type = "TAG_INVALID", 400, "InvalidParameterException"


class TagImmutable(TagInvalid):
    ecr_type = "ImageTagAlreadyExistsException"


class ManifestReferenced(RegistryError):
    """Deleting a manifest that an index in the same repository still lists."""

    oci_code, status, ecr_type = "UNSUPPORTED", 400, "InvalidParameterException"


class PaginationInvalid(RegistryError):
    oci_code, status, ecr_type = "PAGINATION_NUMBER_INVALID", 400, "InvalidParameterException"


class Unsupported(RegistryError):
    oci_code, status, ecr_type = "UNSUPPORTED", 405, "UnsupportedOperationException"


class Unauthorized(RegistryError):
    oci_code, status, ecr_type = "UNAUTHORIZED", 401, "UnrecognizedClientException"


class Denied(RegistryError):
    oci_code, status, ecr_type = "DENIED", 403, "AccessDeniedException"


class TooManyTags(RegistryError):
    oci_code, status, ecr_type = "DENIED", 400, "TooManyTagsException"
