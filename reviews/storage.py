from django.core.files.storage import FileSystemStorage


class PrivateFileStorage(FileSystemStorage):
    """Files with no public URL at all: evidence is served only by the view that checks permission."""

    def url(self, name):
        raise ValueError("Private files have no public URL; link to the evidence view instead.")
