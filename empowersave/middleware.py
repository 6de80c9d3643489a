"""A store that cannot be reached answers a 503 page that says so, never a traceback or a hang.

Every MongoDB client gives up after `MONGODB_TIMEOUT_MS` (empowersave/mongodb.py), so a page
whose store died answers within about twice that (pymongo retries a read once) with status 503
and `Retry-After`; once the store is back, the same page works again with no restart.
"""

import logging

from django.shortcuts import render
from pymongo.errors import ConnectionFailure

from empowersave.mongodb import unreachable_message

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30


class StoreUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, ConnectionFailure):
            return None
        logger.error("%s %s: %s", request.method, request.path, unreachable_message(exception))
        response = render(request, "store_unavailable.html", status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
