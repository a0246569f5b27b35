"""The project app has no tables of its own; its base models are in `jfo_registry/core/models.py`.

This module stays because Django sends `post_migrate` only to apps with a models module, and the
project app's handler (`apps.py`) grants each role group its permissions after every migrate."""
