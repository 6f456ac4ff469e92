"""Open data: the public register as files anyone may download and reuse under the
licence the operator sets (OPEN_DATA_LICENCE), rebuilt by the worker each night."""
