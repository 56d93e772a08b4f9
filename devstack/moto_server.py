"""`python -m devstack.moto_server -p PORT`: moto's standalone server with the register's correction
to DynamoDB transactions (devstack/moto_fixes.py) — what the benchmarks run against."""

from __future__ import annotations

import sys

from devstack.moto_fixes import install


def main() -> None:
    install()
    from moto.server import main as moto_main

    moto_main(sys.argv[1:])


if __name__ == "__main__":
    main()
