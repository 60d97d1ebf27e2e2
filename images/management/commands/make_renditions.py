from django.apps import apps
from django.core.management.base import BaseCommand, CommandError

from images.models import Image
from images.tasks import queue_renditions
from images.uploads import NewsImageField


class Command(BaseCommand):
    help = (
        "Queue the renditions of library images (by id) or, with --all, of every stored image "
        "(library images and author photos): after an upgrade, a restore or a wipe of "
        "renditions/. The task worker makes them; those already there are kept."
    )

    def add_arguments(self, parser):
        parser.add_argument("ids", nargs="*", type=int, help="Library image ids.")
        parser.add_argument(
            "--all", action="store_true", help="Every library image and every author photo."
        )

    def handle(self, *args, ids: list[int], all: bool, **options):
        if all == bool(ids):
            raise CommandError("Give library image ids, or --all (not both).")
        if ids:
            found = Image.objects.filter(pk__in=ids)
            unknown = sorted(set(ids) - {image.pk for image in found})
            if unknown:
                raise CommandError(f"There is no library image with id {unknown[0]}.")
            targets = [(image.file, "image") for image in found]
        else:
            targets = list(self.every_image_file())
        for field_file, kind in targets:
            queue_renditions(field_file, kind=kind)
        self.stdout.write(f"Queued the renditions of {len(targets)} image(s).")

    def every_image_file(self):
        for model in apps.get_models():
            for field in model._meta.get_fields():
                if isinstance(field, NewsImageField):
                    rows = model._default_manager.exclude(**{field.name: ""}).only(field.name)
                    for row in rows.iterator():
                        yield getattr(row, field.name), field.renditions
