"""`python -m lessons` runs the `lessons` command."""

from lessons.cli import main

main(prog_name="lessons")
