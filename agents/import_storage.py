"""Where the console keeps a previewed marketing file until "Confirm import" (django-import-export's temporary
storage, `IMPORT_EXPORT_TMP_STORAGE_CLASS`).

The library's default is the web process's own temporary folder, so with more than one web process (the
Kubernetes manifests run two or more, each with its own /tmp, no affinity) a confirm that reached another process
found nothing and answered 500. The cache is shared by every process (Redis; on the embedded default, the one
daphne process's memory), expires what nobody confirmed (`IMPORT_UPLOAD_SECONDS`), and holds no file larger than
the import limit. The name the confirm form posts back is only ever one this class made (a random hex id): any
other is refused like an expired one, never looked up.
"""

import re
from uuid import uuid4

from django.conf import settings
from django.core.cache import cache
from import_export.tmp_storages import BaseStorage

from agents.import_files import check_size

CACHE_PREFIX = "walker-import-upload:"
NAME = re.compile(r"[0-9a-f]{32}\Z")


class UploadGone(Exception):
    """The previewed file is no longer kept (it waited past its window) or was never one of ours."""


class SharedUploadStorage(BaseStorage):
    def save(self, data: bytes) -> None:
        check_size(len(data))  # the form checked it too; nothing larger is ever kept
        self.name = uuid4().hex
        cache.set(self._key(), data, settings.IMPORT_UPLOAD_SECONDS)

    def read(self):
        data = cache.get(self._key())
        if data is None:
            raise UploadGone(self.name)
        return data if "b" in self.read_mode else data.decode(self.encoding or "utf-8")

    def remove(self) -> None:
        cache.delete(self._key())

    def _key(self) -> str:
        if not NAME.match(self.name or ""):
            raise UploadGone(self.name)
        return CACHE_PREFIX + self.name
