from django.contrib.staticfiles.storage import HashedFilesMixin
from whitenoise.storage import CompressedManifestStaticFilesStorage

# Django's ES-module patterns (import/export ... from "./x.js", import("./x.js")).
_JS_MODULE_PATTERNS = HashedFilesMixin._js_module_import_aggregation_patterns[1]


class StaticStorage(CompressedManifestStaticFilesStorage):
    """WhiteNoise's storage, also rewriting module imports to hashed names in our own `js/`.

    Django's `support_js_module_import_aggregation` applies the import patterns to every
    collected `.js` file. Third-party files then break collectstatic: django-htmx's
    `ext/hx-sse-2.js` mentions `import("../htmx")` in a JSDoc comment, which matches the
    dynamic-import pattern and points at no file. Only our modules import each other, so
    only they are rewritten.
    """

    patterns = CompressedManifestStaticFilesStorage.patterns + (("js/*.js", _JS_MODULE_PATTERNS),)
