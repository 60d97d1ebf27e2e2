"""Fill Source.normalized_domain and merge sources that turn out to share a domain.

The sources of one domain are merged into the oldest (lowest id): their articles are moved to
it and the others are deleted, so that 0016 can add the unique constraint. A source whose
homepage names no host keeps an empty domain and is left alone (the constraint ignores it).

The normalisation is a frozen copy of articles.models.normalize_domain as it was when this
migration was written, so later changes to that function do not change what this one did.
Its own schema changes are in 0014 and 0016: on PostgreSQL, moving articles leaves deferred
foreign-key checks pending, and a table cannot be altered in the same transaction then.
"""

import re
from collections import defaultdict
from urllib.parse import urlsplit

from django.db import migrations


def normalize_domain(url):
    text = url.strip()
    if "://" not in text:
        text = "//" + text.removeprefix("//")
    try:
        host = (urlsplit(text).hostname or "").rstrip(".")
        domain = host.encode("idna").decode("ascii").lower() if host else ""
    except (ValueError, UnicodeError):
        return ""
    if not re.fullmatch(r"[a-z0-9_.:-]+", domain):
        return ""
    return domain.removeprefix("www.") if domain.count(".") >= 2 else domain


def fill_and_merge(apps, schema_editor):
    Source = apps.get_model("articles", "Source")
    Article = apps.get_model("articles", "Article")
    by_domain = defaultdict(list)
    for pk, homepage in Source.objects.order_by("pk").values_list("pk", "homepage"):
        by_domain[normalize_domain(homepage)].append(pk)
    for domain, (kept, *merged) in by_domain.items():
        if not domain:
            continue  # no host: left as it is, with an empty domain
        if merged:
            Article.objects.filter(source_id__in=merged).update(source_id=kept)
            Source.objects.filter(pk__in=merged).delete()
        # Filled after the merge, so running this again with the constraint in place works.
        Source.objects.filter(pk=kept).update(normalized_domain=domain)


class Migration(migrations.Migration):

    dependencies = [
        ('articles', '0014_source_normalized_domain'),
    ]

    operations = [
        migrations.RunPython(fill_and_merge, migrations.RunPython.noop),
    ]
