"""`python -m services.projections` runs the live projections, the HTTP read API and the health reply."""

import asyncio

from services.projections.app import main

if __name__ == "__main__":
    asyncio.run(main())
