"""The HTTP server: a FastAPI app over the service layer (REST under /api/v1, web pages at /).

``create_app(url)`` builds it; ``gosplan serve`` runs it with uvicorn.
"""

from gosplan.api.app import create_app

__all__ = ["create_app"]
