"""Background jobs of the catalogue: thin wrappers that load ids and call a service."""

from __future__ import annotations

from django_tasks import task

from . import services


@task()
def catalog_reindex(item_ids: list[int] | None = None) -> int:
    """Rebuild search tokens after a change that touches many items (a renamed life event, an import)."""
    return services.search_reindex(item_ids=item_ids)
