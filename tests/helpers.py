"""Small assertions shared by several test modules."""


def is_rendition_of(src: str, field_file) -> bool:
    """Pages show resized copies (renditions/) of an upload, named after it."""
    stem = field_file.name.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    return src.startswith("/media/renditions/") and f"/{stem}-" in src
