"""`python -m services.pledges` runs the pledges service."""

import asyncio

from services.pledges.app import app

if __name__ == "__main__":
    asyncio.run(app.run())
