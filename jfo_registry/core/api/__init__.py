"""The API base: what every resource of /api/v1/ shares, one module per concern.

- `errors`: Django validation errors and database refusals as DRF answers (400, 409), the
  project's EXCEPTION_HANDLER.
- `fields`: strict serializer fields (record ids, text, fiscal years, moments, nullable texts).
- `serializers`: the base serializers (strict fields, validation through the model).
- `preconditions`: ETag and If-Match (428, 412); the decision itself is `jfo_registry.core.concurrency`.
- `listing`: reading a flat list straight from `.values()`.
- `viewsets`: the base viewset (object checks, history, deletion refusals).
- `filters`: filter sets and filters (ids or codes, fiscal years, strict booleans, search).
- `access`: permissions (per role and region, the schema) and the NUL-character refusal.
- `pagination`, `parsers`, `throttling`: DRF's defaults as the registry sets them.

Callers import from the module that holds a name; this package imports no app.
"""
