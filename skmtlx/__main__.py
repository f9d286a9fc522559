"""``python -m skmtlx``: the command-line entry point."""

from ._cli import main

if __name__ == "__main__":
    raise SystemExit(main())
