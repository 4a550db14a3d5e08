"""``starkit serve``: a local web page to speak (or type) a request and hear the generated sound.

:mod:`star_kit.serve.jobs` holds the model and its queue (no web imports); :mod:`star_kit.serve.app` is the ASGI app
(Starlette, the ``serve`` extra); the page lives in ``static/`` as package data.
"""
