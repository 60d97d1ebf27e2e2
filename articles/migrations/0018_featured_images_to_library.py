# Each featured image becomes a library image that reuses the stored file (no copy), with the
# article's alt text, caption and credit. Articles sharing a file with the same texts share one
# library image. Backwards, the texts go back to the article; the library images stay.

from pathlib import PurePosixPath

from django.db import migrations


def to_library(apps, schema_editor):
    Article = apps.get_model("articles", "Article")
    Image = apps.get_model("images", "Image")
    rows = (
        Article.objects.exclude(image="")
        .filter(library_image__isnull=True)
        .values_list(
            "pk", "image", "image_width", "image_height", "image_alt", "image_caption",
            "image_credit", "created_by_id", "created_at",
        )
        .order_by("pk")
    )
    for pk, name, width, height, alt, caption, credit, created_by_id, created_at in rows.iterator():
        image = Image.objects.filter(file=name, alt_text=alt, caption=caption, credit=credit).first()
        if image is None:
            image = Image.objects.create(
                file=name,
                width=width,
                height=height,
                title=PurePosixPath(name).stem[:255] or "Untitled image",
                alt_text=alt,
                caption=caption,
                credit=credit,
                uploaded_by_id=created_by_id,
            )
            # "Uploaded" in the library: when the article got it, not when this ran.
            Image.objects.filter(pk=image.pk).update(created_at=created_at)
        Article.objects.filter(pk=pk).update(library_image=image)


def from_library(apps, schema_editor):
    Article = apps.get_model("articles", "Article")
    rows = Article.objects.filter(library_image__isnull=False).values_list(
        "pk", "library_image__file", "library_image__width", "library_image__height",
        "library_image__alt_text", "library_image__caption", "library_image__credit",
    )
    for pk, name, width, height, alt, caption, credit in rows.iterator():
        Article.objects.filter(pk=pk).update(
            image=name,
            image_width=width,
            image_height=height,
            image_alt=alt[:300],
            image_caption=caption[:500],
            image_credit=credit[:200],
        )


class Migration(migrations.Migration):
    dependencies = [("articles", "0017_featured_image_library")]

    operations = [migrations.RunPython(to_library, from_library)]
