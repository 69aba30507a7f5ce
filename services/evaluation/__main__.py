"""`python -m services.evaluation` runs the evaluation service."""

import asyncio

from services.evaluation.app import app

if __name__ == "__main__":
    asyncio.run(app.run())
