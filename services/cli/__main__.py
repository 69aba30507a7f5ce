"""`python -m services.cli` is the `pacesetter` command."""

from services.cli.main import app

if __name__ == "__main__":
    app()
