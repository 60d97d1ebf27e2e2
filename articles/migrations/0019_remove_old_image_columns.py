import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("articles", "0018_featured_images_to_library")]

    operations = [
        migrations.RemoveField(model_name="article", name="image"),
        migrations.RemoveField(model_name="article", name="image_width"),
        migrations.RemoveField(model_name="article", name="image_height"),
        migrations.RemoveField(model_name="article", name="image_alt"),
        migrations.RemoveField(model_name="article", name="image_caption"),
        migrations.RemoveField(model_name="article", name="image_credit"),
        migrations.RenameField(model_name="article", old_name="library_image", new_name="image"),
        migrations.AlterField(
            model_name="article",
            name="image",
            field=models.ForeignKey(
                blank=True,
                help_text="Chosen from the media library, which keeps its alt text, caption and credit.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="featured_in",
                to="images.image",
                verbose_name="featured image",
            ),
        ),
    ]
