"""Refuse to build the environment on a Python older than 3.11 or without venv, with a clear message."""

import sys

if sys.version_info < (3, 11):
    sys.exit(f"Fastlegeadministrasjon trenger Python 3.11 eller nyere (fant {sys.version.split()[0]}). "
             "Sett PYTHON=/sti/til/python3.11 og prøv igjen.")

try:
    import ensurepip  # noqa: F401  (python3 -m venv needs it; Debian ships it separately)
except ImportError:
    sys.exit("Python mangler venv/ensurepip. På Debian/Ubuntu: apt-get install python3-venv")
