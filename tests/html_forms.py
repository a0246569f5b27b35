"""What a browser sends when a page's form is submitted untouched: read from the page's HTML, so a
test sees the fields the page really renders (not a hand-made dict that may hold more)."""

from __future__ import annotations

from html.parser import HTMLParser


class _FormReader(HTMLParser):
    def __init__(self, form_id: str | None):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.in_form = False
        self.data: dict[str, list[str]] = {}
        self._select: tuple[str, bool] | None = None  # (name, multiple)
        self._options: list[tuple[str, bool]] = []
        self._option_value: str | None = None
        self._option_text: list[str] = []
        self._option_selected = False
        self._textarea: str | None = None
        self._text: list[str] = []

    def add(self, name: str, value: str) -> None:
        self.data.setdefault(name, []).append(value)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form" and (attributes.get("method", "").lower() == "post") and (
            self.form_id is None or attributes.get("id") == self.form_id
        ):
            self.in_form = True
        if not self.in_form or "disabled" in attributes:
            return
        name = attributes.get("name")
        if tag == "input" and name:
            kind = (attributes.get("type") or "text").lower()
            if kind in {"checkbox", "radio"}:
                if "checked" in attributes:
                    self.add(name, attributes.get("value") or "on")
            elif kind not in {"submit", "button", "reset", "image", "file"}:
                self.add(name, attributes.get("value") or "")
        elif tag == "select" and name:
            self._select, self._options = (name, "multiple" in attributes), []
        elif tag == "option" and self._select:
            self._option_value, self._option_text = attributes.get("value"), []
            self._option_selected = "selected" in attributes
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []

    def handle_data(self, data):
        if self._textarea is not None:
            self._text.append(data)
        elif self._option_value is None and self._select and self._option_text is not None:
            self._option_text.append(data)

    def handle_endtag(self, tag):
        if not self.in_form:
            return
        if tag == "form":
            self.in_form = False
        elif tag == "option" and self._select:
            value = self._option_value if self._option_value is not None else "".join(self._option_text).strip()
            self._options.append((value, self._option_selected))
            self._option_value, self._option_text = None, []
        elif tag == "select" and self._select:
            name, multiple = self._select
            chosen = [value for value, selected in self._options if selected]
            if not chosen and not multiple and self._options:
                chosen = [self._options[0][0]]  # a single select always sends one option
            for value in chosen:
                self.add(name, value)
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            text = "".join(self._text)
            self.add(self._textarea, text[1:] if text.startswith("\n") else text)
            self._textarea = None


def submitted_form(html: str, form_id: str | None = None) -> dict[str, list[str]]:
    """The {field name: [values]} a browser posts for the page's POST form (the one with `form_id`,
    else the first), nothing changed: checked boxes only, selected options, no buttons or files."""
    reader = _FormReader(form_id)
    reader.feed(html)
    return reader.data
