"""Copy the GC Design System from node_modules into static/vendor/gcds, served locally.

The stock CSS imports web fonts from Google and icon fonts from a CDN; here every font is
self-hosted so pages render the same offline. Refuses to finish if any remote URL remains.
"""

import re
import shutil
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

REMOTE_URL = re.compile(r"""(?:@import\s+url\(|url\()\s*["']?https?://""", re.IGNORECASE)
FONT_FAMILIES = ("lato", "noto-sans", "noto-sans-mono", "icons")


def build(source: Path, target: Path) -> list[Path]:
    components = source / "components" / "dist" / "gcds"
    fonts = source / "fonts" / "fonts"
    if not components.is_dir() or not fonts.is_dir():
        raise CommandError(f"GC Design System packages not found under {source}: run `npm ci` first.")
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(components, target / "components")
    css = (target / "components" / "gcds.css").read_text(encoding="utf-8")
    css = re.sub(r"""@import\s+url\(["']?https://fonts\.googleapis\.com[^)]*\)\s*;?""", "", css)
    css = re.sub(r"https://cdn\.design-system\.canada\.ca/@gcds-core/fonts@[^/]+/icons/", "../fonts/icons/", css)
    (target / "components" / "gcds.css").write_text(css, encoding="utf-8")

    tokens = source / "tokens" / "build" / "web" / "css" / "tokens.css"
    if tokens.is_file():
        (target / "tokens").mkdir(parents=True)
        shutil.copy(tokens, target / "tokens" / "tokens.css")

    faces = []
    for family in FONT_FAMILIES:
        shutil.copytree(fonts / family, target / "fonts" / family, ignore=shutil.ignore_patterns("*.md", "*.txt"))
        for stylesheet in sorted((fonts / family).glob("*.css")):
            text = stylesheet.read_text(encoding="utf-8")
            text = text.replace("path/to/file/", f"{family}/").replace("<path-to-file>/", f"{family}/")
            faces.append(f"/* {family}: {stylesheet.name} */\n{text}")
    (target / "fonts" / "fonts.css").write_text("\n".join(faces), encoding="utf-8")

    remote = [path for path in target.rglob("*.css") if REMOTE_URL.search(path.read_text(encoding="utf-8"))]
    if remote:
        raise CommandError(f"Remote URLs remain in {', '.join(map(str, remote))}: pages would not render offline.")
    return sorted(target.rglob("*"))


class Command(BaseCommand):
    help = "Copy the GC Design System (components, tokens, fonts) from node_modules into static/vendor/gcds."

    def add_arguments(self, parser):
        parser.add_argument("--source", type=Path, default=Path(settings.BASE_DIR) / "node_modules" / "@gcds-core")
        parser.add_argument("--target", type=Path, default=Path(settings.BASE_DIR) / "static" / "vendor" / "gcds")

    def handle(self, *args, source: Path, target: Path, **options):
        files = build(source, target)
        self.stdout.write(f"GC Design System copied to {target} ({sum(1 for f in files if f.is_file())} files).")
