# The featured image moves to the media library (images.Image), in three steps so that
# PostgreSQL never alters a table with pending trigger events: a new foreign key beside the
# old columns (here), the data copied (0012), the old columns removed (0013).

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0016_source_unique_domain"),
        ("images", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="article",
            name="library_image",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="images.image",
            ),
        ),
        migrations.CreateModel(
            name="BodyImage",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("article", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="body_images", to="articles.article")),
                ("image", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="body_uses", to="images.image")),
            ],
            options={
                "verbose_name": "image in an article body",
                "verbose_name_plural": "images in article bodies",
                "constraints": [models.UniqueConstraint(fields=("article", "image"), name="unique_body_image")],
            },
        ),
    ]
