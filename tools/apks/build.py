#!/usr/bin/env python3
"""Build hpa's real APK fixtures offline with Debian's Android tools (smali, aapt, zipalign, apksigner).

    python tools/apks/build.py                      # every target, to the paths named in the specs
    python tools/apks/build.py --only notes --out-dir /tmp/x   # some targets, into one folder

Apps live in apps/<name>/ (app.json, AndroidManifest.xml, res/, smali/); SDK stubs in sdks/<sdk>/smali/ are
shared so each app lists the SDKs it carries. bundles.json describes split bundles (APKS/XAPK); the broken
fixtures are generated here from a built APK. Signing uses a throwaway keystore made for each run.
See README.md for the recipe and the demo apps' SDK choices.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
FRAMEWORK = Path("/usr/share/android-framework-res/framework-res.apk")
TOOLS = ("smali", "aapt", "zipalign", "apksigner", "keytool")
KS_PASS = "hpa-throwaway"
SMALI_API = "21"


def run(cmd: list[str], cwd: Path | None = None) -> None:
    res = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    if res.returncode != 0:
        sys.exit(f"build.py: {' '.join(cmd)} failed:\n{res.stdout}{res.stderr}")


class Builder:
    def __init__(self, work: Path, out_dir: Path | None):
        self.work = work
        self.out_dir = out_dir
        self.built: dict[str, Path] = {}     # app name -> signed APK in the work dir
        self.keystore = work / "throwaway.jks"
        run(["keytool", "-genkeypair", "-keystore", str(self.keystore), "-storepass", KS_PASS, "-keypass", KS_PASS,
             "-alias", "hpa", "-keyalg", "RSA", "-keysize", "2048", "-validity", "10000",
             "-dname", "CN=hpa fixtures, O=hpa", "-noprompt"])

    def destination(self, output: str) -> Path:
        dest = self.out_dir / Path(output).name if self.out_dir else ROOT / output
        dest.parent.mkdir(parents=True, exist_ok=True)
        return dest

    # -- one app ------------------------------------------------------------------------------
    def app(self, name: str) -> Path:
        if name in self.built:
            return self.built[name]
        src = HERE / "apps" / name
        spec = json.loads((src / "app.json").read_text())
        work = self.work / name
        work.mkdir()
        dex_files = []
        for i, key in enumerate(("sdks", "sdks_dex2")):
            dirs = [HERE / "sdks" / sdk / "smali" for sdk in spec.get(key, [])]
            if i == 0 and (src / "smali").is_dir():
                dirs.insert(0, src / "smali")
            if not dirs:
                continue
            dex = work / ("classes.dex" if i == 0 else f"classes{i + 1}.dex")
            run(["smali", "assemble", "--api", SMALI_API, "-o", str(dex), *map(str, dirs)])
            dex_files.append(dex.name)
        cmd = ["aapt", "package", "-f", "-M", str(src / "AndroidManifest.xml"), "-I", str(FRAMEWORK),
               "-F", str(work / "unsigned.apk")]
        if (src / "res").is_dir():
            cmd += ["-S", str(src / "res")]
        if spec.get("assets"):               # nested APKs: another app built first, stored under assets/
            assets = work / "assets"
            assets.mkdir()
            for rel, inner in spec["assets"].items():
                (assets / rel).parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(self.app(inner), assets / rel)
            cmd += ["-A", str(assets), "-0", "apk"]
        run(cmd)
        if dex_files:
            run(["aapt", "add", "unsigned.apk", *dex_files], cwd=work)
        run(["zipalign", "-f", "4", str(work / "unsigned.apk"), str(work / "aligned.apk")])
        signed = work / f"{name}.apk"
        run(["apksigner", "sign", "--ks", str(self.keystore), "--ks-pass", f"pass:{KS_PASS}",
             "--v4-signing-enabled", "false", "--out", str(signed), str(work / "aligned.apk")])
        self.built[name] = signed
        if spec.get("output"):
            shutil.copyfile(signed, self.destination(spec["output"]))
        return signed

    # -- bundles and broken inputs ------------------------------------------------------------
    def bundle(self, output: str, spec: dict) -> None:
        dest = self.destination(output)
        with zipfile.ZipFile(dest, "w", zipfile.ZIP_STORED) as z:
            for entry, app in spec["entries"].items():
                z.write(self.app(app), entry)
            if "manifest" in spec:           # XAPK: manifest.json names the package and its splits
                z.writestr("manifest.json", json.dumps(spec["manifest"], indent=2))
            if spec.get("format") == "apks":  # bundletool writes a toc.pb; an empty one keeps the layout honest
                z.writestr("toc.pb", b"")

    def broken(self, name: str) -> None:
        good = self.app("notes").read_bytes()
        dest = self.destination(f"tests/fixtures/apks/{name}")
        if name == "not_a_zip.apk":
            dest.write_bytes(b"This is a text file renamed to .apk, not a zip archive.\n")
        elif name == "truncated.apk":
            dest.write_bytes(good[: len(good) // 2])
        elif name == "corrupt_manifest.apk":
            # a real APK whose binary manifest was overwritten: right chunk type, garbage after it
            with zipfile.ZipFile(self.built["notes"]) as src, zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as z:
                for info in src.infolist():
                    data = src.read(info)
                    if info.filename == "AndroidManifest.xml":
                        data = data[:8] + bytes((i * 37 + 11) % 256 for i in range(len(data) - 8))
                    z.writestr(info, data)
        elif name == "bomb.apk":
            # 64 MiB of zeros compress to ~64 KB: a ratio of ~1000, far beyond any real dex
            with zipfile.ZipFile(self.built["notes"]) as src, zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as z:
                z.writestr("AndroidManifest.xml", src.read("AndroidManifest.xml"))
                info = zipfile.ZipInfo("classes.dex")
                info.compress_type = zipfile.ZIP_DEFLATED
                with z.open(info, "w") as f:
                    f.write(b"dex\n035\x00")
                    chunk = bytes(1 << 20)
                    for _ in range(64):
                        f.write(chunk)
        else:
            sys.exit(f"build.py: unknown broken fixture {name}")


BROKEN = ("not_a_zip.apk", "truncated.apk", "corrupt_manifest.apk", "bomb.apk")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", nargs="*", help="app names, bundle file names or broken fixture names")
    ap.add_argument("--out-dir", type=Path, help="write every output into this folder")
    args = ap.parse_args(argv)
    missing = [t for t in TOOLS if shutil.which(t) is None]
    if missing or not FRAMEWORK.exists():
        sys.exit("build.py: needs Debian packages aapt apksigner zipalign libsmali-java android-framework-res "
                 f"and a JDK (missing: {', '.join(missing) or FRAMEWORK})")
    apps = sorted(p.name for p in (HERE / "apps").iterdir() if (p / "app.json").exists())
    bundles = json.loads((HERE / "bundles.json").read_text())
    bundles.pop("_note", None)
    wanted = set(args.only) if args.only else None
    with tempfile.TemporaryDirectory(prefix="hpa-apks-") as tmp:
        b = Builder(Path(tmp), args.out_dir)
        for name in apps:
            if wanted is None or name in wanted:
                b.app(name)
        for output, spec in bundles.items():
            if wanted is None or Path(output).name in wanted:
                b.bundle(output, spec)
        for name in BROKEN:
            if wanted is None or name in wanted:
                b.broken(name)
        unknown = (wanted or set()) - set(apps) - {Path(o).name for o in bundles} - set(BROKEN)
        if unknown:
            sys.exit(f"build.py: unknown target(s): {', '.join(sorted(unknown))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
