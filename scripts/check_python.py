"""Refuse to build the environment on a Python older than 3.11, with a clear message."""

import sys

if sys.version_info < (3, 11):
    sys.exit(f"Fastlegeadministrasjon trenger Python 3.11 eller nyere (fant {sys.version.split()[0]}). "
             "Sett PYTHON=/sti/til/python3.11 og prøv igjen.")
