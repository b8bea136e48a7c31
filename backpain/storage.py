from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticStorage(CompressedManifestStaticFilesStorage):
    """WhiteNoise's storage, also rewriting `import ... from "./x.js"` to hashed names."""

    support_js_module_import_aggregation = True
