"""Demo entity-enrichment HTTP service backed by a local directory of known entities."""

from .app import create_app
from .catalog import DEFAULT_ENTITIES_DIR, EnrichRequest, EntityCatalog

__all__ = ["DEFAULT_ENTITIES_DIR", "EnrichRequest", "EntityCatalog", "create_app"]
