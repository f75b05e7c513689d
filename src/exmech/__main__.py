"""`python -m exmech` runs the command line."""

from .cli import main

main()
