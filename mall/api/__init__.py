"""The mall's API (DRF): InputSerializer -> selector or service -> OutputSerializer; domain errors become 4xx
JSON through core.api.exception_handler. Routes are in ``urls.py``."""
