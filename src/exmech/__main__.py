"""`python -m exmech` runs the command line."""

from exmech.cli import main

main()
