"""Build the deployable set for a stage: `chalice package` merged with infra/app.json, then

- the AWS SDK taken out of the Lambda package (the Python runtime provides boto3 and botocore;
  bundling them would add 17 MB, most of the package);
- the XML-signature stack (lxml, signxml: only the VIISP login uses it) moved into a Lambda layer
  that only the API function mounts (infra/app.json), so the authoriser, the ingest and the
  transfer do not carry 5 MB of native code they never load.

    python infra/package.py --stage prod --out dist/prod

Writes `<out>/sam.json`, `<out>/deployment.zip` and `<out>/xml-signature-layer.zip`; prints their
sizes. README "Deploying to AWS" takes it from there.
"""

from __future__ import annotations

import argparse
import json
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
# What goes into the API function's layer (infra/app.json names it).
XML_SIGNATURE_LAYER = ("lxml", "signxml")
LAYER_FILE = "xml-signature-layer.zip"


def distribution(name: str) -> str:
    """The distribution a zip entry belongs to (`botocore/x.py` and `botocore-1.2.dist-info/...`
    alike)."""
    top = name.split("/", 1)[0]
    return (top.split("-", 1)[0] if top.endswith((".dist-info", ".data")) else top.removesuffix(".py")).lower()


def runtime_provided(name: str) -> bool:
    return distribution(name) in RUNTIME_PROVIDED


def split_package(package: Path, layer: Path) -> tuple[int, int, int]:
    """Rewrite the zip without what the runtime provides and without the layer's part, which goes
    to `layer` under `python/` (where Lambda puts layers on the path); the sizes before and after,
    and the layer's."""
    before = package.stat().st_size
    with tempfile.NamedTemporaryFile(dir=package.parent, suffix=".zip", delete=False) as handle:
        slim = Path(handle.name)
    with zipfile.ZipFile(package) as source, zipfile.ZipFile(slim, "w", zipfile.ZIP_DEFLATED) as target, \
            zipfile.ZipFile(layer, "w", zipfile.ZIP_DEFLATED) as layered:
        for item in source.infolist():
            if runtime_provided(item.filename):
                continue
            if distribution(item.filename) in XML_SIGNATURE_LAYER:
                moved = zipfile.ZipInfo(f"python/{item.filename}", item.date_time)
                moved.external_attr, moved.compress_type = item.external_attr, item.compress_type
                layered.writestr(moved, source.read(item))
            else:
                target.writestr(item, source.read(item), compress_type=item.compress_type)
    slim.replace(package)
    return before, package.stat().st_size, layer.stat().st_size


def package(stage: str, out: Path, chalice: Path | None = None) -> tuple[int, int, int]:
    """Build `out`; the package's bytes as Chalice builds it and as shipped, and the layer's."""
    chalice = chalice or Path(sys.executable).with_name("chalice")
    if out.exists():
        shutil.rmtree(out)
    env = os.environ | {"AWS_DEFAULT_REGION": os.environ.get("AWS_DEFAULT_REGION", "eu-north-1")}
    subprocess.run([str(chalice), "package", "--stage", stage, "--merge-template", "infra/app.json", str(out)],
                   cwd=ROOT, env=env, check=True, capture_output=True)
    bind_stage(out / "sam.json", stage)
    return split_package(out / "deployment.zip", out / LAYER_FILE)


def bind_stage(template_file: Path, stage: str) -> None:
    """The template carries one stage's environment: its `Stage` parameter accepts only that stage
    (a prod package deployed with Stage=dev would point dev's roles at prod's tables)."""
    template = json.loads(template_file.read_text())
    template["Parameters"]["Stage"] |= {"AllowedValues": [stage], "Default": stage}
    template_file.write_text(json.dumps(template, indent=2))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stage", choices=("dev", "prod"), required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    before, after, layer = package(args.stage, args.out.resolve())
    print(f"{args.out}/sam.json; {args.out}/deployment.zip: {after / 1e6:.1f} MB (as Chalice builds it: "
          f"{before / 1e6:.1f} MB); {args.out}/{LAYER_FILE}: {layer / 1e6:.1f} MB (the API function only)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
