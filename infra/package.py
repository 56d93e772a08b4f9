"""Build the deployable set for a stage: `chalice package` merged with infra/app.json, then the
AWS SDK taken out of the Lambda package (the Python runtime provides boto3 and botocore; bundling
them would add 17 MB, most of the package).

    python infra/package.py --stage prod --out dist/prod

Writes `<out>/sam.json` and `<out>/deployment.zip`; prints the package's size. README "Deploying
to AWS" takes it from there.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# What the Lambda Python runtime already has: the SDK and its own dependencies.
RUNTIME_PROVIDED = ("boto3", "botocore", "s3transfer", "jmespath", "dateutil", "python_dateutil", "urllib3", "six")


def runtime_provided(name: str) -> bool:
    top = name.split("/", 1)[0]
    package = top.split("-", 1)[0] if top.endswith((".dist-info", ".data")) else top.removesuffix(".py")
    return package.lower() in RUNTIME_PROVIDED


def strip_runtime_provided(package: Path) -> tuple[int, int]:
    """Rewrite the zip without what the runtime provides; (bytes before, bytes after)."""
    before = package.stat().st_size
    with tempfile.NamedTemporaryFile(dir=package.parent, suffix=".zip", delete=False) as handle:
        slim = Path(handle.name)
    with zipfile.ZipFile(package) as source, zipfile.ZipFile(slim, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            if not runtime_provided(item.filename):
                target.writestr(item, source.read(item), compress_type=item.compress_type)
    slim.replace(package)
    return before, package.stat().st_size


def package(stage: str, out: Path, chalice: Path | None = None) -> tuple[int, int]:
    chalice = chalice or Path(sys.executable).with_name("chalice")
    if out.exists():
        shutil.rmtree(out)
    env = os.environ | {"AWS_DEFAULT_REGION": os.environ.get("AWS_DEFAULT_REGION", "eu-north-1")}
    subprocess.run([str(chalice), "package", "--stage", stage, "--merge-template", "infra/app.json", str(out)],
                   cwd=ROOT, env=env, check=True, capture_output=True)
    return strip_runtime_provided(out / "deployment.zip")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stage", choices=("dev", "prod"), required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    before, after = package(args.stage, args.out.resolve())
    print(f"{args.out}/sam.json, {args.out}/deployment.zip: {after / 1e6:.1f} MB "
          f"({before / 1e6:.1f} MB with the runtime's SDK)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
