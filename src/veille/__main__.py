"""``python -m veille`` is the ``veille`` command."""

from veille.cli import main

if __name__ == "__main__":
    main()
