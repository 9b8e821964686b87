"""What a face needs from the rest of the house, handed over by the server at start-up."""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

from cargohold.config import Settings
from cargohold.iam.access_keys import AccessKeys
from cargohold.iam.authorizer import Authorizer
from cargohold.iam.secrets_box import SecretsBox
from cargohold.iam.tokens import TokenSigner
from cargohold.iam.url_signing import UrlSigner
from cargohold.registry.resource_facts import ResourceFactsLookup
from cargohold.registry.service import Registry


@dataclass
class Services:
    settings: Settings
    registry: Registry
    authorizer: Authorizer
    tokens: TokenSigner
    access_keys: AccessKeys
    urls: UrlSigner
    resource_facts: ResourceFactsLookup
    box: SecretsBox


SERVICES: web.AppKey[Services] = web.AppKey("services", Services)
