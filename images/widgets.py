from django.contrib.admin.widgets import ForeignKeyRawIdWidget
from django.urls import reverse

from newsroom.admin_guards import is_id

from .models import Image


class ImageChooserWidget(ForeignKeyRawIdWidget):
    """The admin's raw-id lookup (a popup of the library with its thumbnails, search, filters
    and Add button) plus a preview of the chosen image, updated when another is chosen."""

    template_name = "images/widgets/image_chooser.html"

    class Media:
        css = {"all": ["newsroom/admin/images.css"]}
        js = ["newsroom/admin/image-chooser.js"]

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        image = None
        if value not in (None, "") and is_id(value):  # a forged id is the form's to refuse
            image = Image.objects.filter(pk=int(value)).first()
        context["chosen_image"] = image
        # The endpoint's address with a stand-in id the script swaps for the chosen one.
        context["summary_url"] = reverse("admin:images_image_summary", args=[0])
        return context
