"""The API's JSON parser (settings: DEFAULT_PARSER_CLASSES): a body nested too deeply is a 400."""

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.parsers import JSONParser


class SafeJSONParser(JSONParser):
    """JSON bodies nested too deeply for the parser are a 400, not a crash."""

    def parse(self, stream, media_type=None, parser_context=None):
        """Returns: the parsed body (dict, list...). Raises ParseError (400) for malformed or
        too deeply nested JSON."""
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError as error:
            raise exceptions.ParseError(_("JSON parse error: the document is nested too deeply.")) from error
