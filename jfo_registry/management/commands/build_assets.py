"""Copy the GC Design System from node_modules into static/vendor/gcds, served locally.

The stock CSS imports web fonts from Google and icon fonts from a CDN; here every font is
self-hosted so pages render the same offline. The fonts package ships one stylesheet per family
whose URLs are placeholders (`path/to/file/...`); they are combined into `fonts/fonts.css` with
the real paths and not copied as they are (the manifest storage of `collectstatic` would refuse
them). Refuses to finish if any remote URL remains or any stylesheet refers to a missing file.
"""

import re
import shutil
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

REMOTE_URL = re.compile(r"""(?:@import\s+url\(|url\()\s*["']?https?://""", re.IGNORECASE)
CSS_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)
CSS_URL = re.compile(r"""url\(\s*["']?([^"')]+?)["']?\s*\)""", re.IGNORECASE)
FONT_FAMILIES = ("lato", "noto-sans", "noto-sans-mono", "icons")
# The fonts package's placeholders for "the folder the font files are in", as url( prefixes.
FONT_PATH_PLACEHOLDER = re.compile(r"""url\((\s*["']?)(?:path/to/file|<path-to-file>)/""")


def unresolved_references(root: Path) -> list[str]:
    """Relative `url(...)`s in the stylesheets under `root` that name no file there.

    Returns "stylesheet: reference" strings (paths relative to `root`), sorted; data:, remote
    and fragment-only URLs are not files and are skipped, comments are ignored.
    """
    missing = []
    for stylesheet in sorted(root.rglob("*.css")):
        text = CSS_COMMENT.sub("", stylesheet.read_text(encoding="utf-8"))
        for reference in CSS_URL.findall(text):
            if reference.startswith(("data:", "#", "/")) or "://" in reference:
                continue
            path = re.split(r"[?#]", reference, maxsplit=1)[0]
            if not (stylesheet.parent / path).resolve().is_file():
                missing.append(f"{stylesheet.relative_to(root)}: {reference}")
    return missing


def build(source: Path, target: Path) -> list[Path]:
    """Vendor the design system from `source` (node_modules/@gcds-core) into `target`.

    Returns every path written under `target`, sorted. Raises CommandError when the packages are
    missing, a remote URL remains, or a stylesheet refers to a file that is not there.
    """
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
        # The font files only: the family's own stylesheet holds the placeholders (see above).
        shutil.copytree(
            fonts / family, target / "fonts" / family, ignore=shutil.ignore_patterns("*.md", "*.txt", "*.css")
        )
        for stylesheet in sorted((fonts / family).glob("*.css")):
            text = FONT_PATH_PLACEHOLDER.sub(rf"url(\g<1>{family}/", stylesheet.read_text(encoding="utf-8"))
            faces.append(f"/* {family}: {stylesheet.name} */\n{text}")
    (target / "fonts" / "fonts.css").write_text("\n".join(faces), encoding="utf-8")

    remote = [path for path in target.rglob("*.css") if REMOTE_URL.search(path.read_text(encoding="utf-8"))]
    if remote:
        raise CommandError(f"Remote URLs remain in {', '.join(map(str, remote))}: pages would not render offline.")
    missing = unresolved_references(target)
    if missing:
        raise CommandError(
            "Stylesheets refer to files that are not there (collectstatic would fail): " + "; ".join(missing)
        )
    return sorted(target.rglob("*"))


class Command(BaseCommand):
    help = "Copy the GC Design System (components, tokens, fonts) from node_modules into static/vendor/gcds."

    def add_arguments(self, parser):
        parser.add_argument("--source", type=Path, default=Path(settings.BASE_DIR) / "node_modules" / "@gcds-core")
        parser.add_argument("--target", type=Path, default=Path(settings.BASE_DIR) / "static" / "vendor" / "gcds")

    def handle(self, *args, source: Path, target: Path, **options):
        files = build(source, target)
        self.stdout.write(f"GC Design System copied to {target} ({sum(1 for f in files if f.is_file())} files).")
