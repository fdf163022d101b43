import sys

from .cli import main

if __name__ == "__main__":  # only when run as a program (python -m game), never on a mere import
    sys.exit(main())
