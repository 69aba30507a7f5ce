"""`python -m services.campaigns` runs the campaigns service."""

import asyncio

from services.campaigns.app import app

if __name__ == "__main__":
    asyncio.run(app.run())
