"""`python -m services.awards` runs the awards service (and, on one replica at a time, its results policy)."""

import asyncio

from services.awards.app import app

if __name__ == "__main__":
    asyncio.run(app.run())
