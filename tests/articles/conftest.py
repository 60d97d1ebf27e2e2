import pytest

from tests.factories import AuthorFactory, SectionFactory, SourceFactory


@pytest.fixture
def filing():
    """What a full article is filed under: a section, a source and two authors."""
    return {
        "section": SectionFactory(name="Energy"),
        "source": SourceFactory(name="Kyiv Post", homepage="https://www.kyivpost.com/"),
        "first": AuthorFactory(name="Olena Kovalenko"),
        "second": AuthorFactory(name="Mark Smith"),
    }
