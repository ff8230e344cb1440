"""The coordinator's modeller (``/modeller``): pathways, versions, drafts, forms."""

from webapp.modeller import form_views, pathway_views, scenario_views  # noqa: F401 - importing the views registers their routes
from webapp.modeller.blueprint import modeller

__all__ = ["modeller"]
