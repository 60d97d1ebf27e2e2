from django import forms

from .models import Image


class ImageForm(forms.ModelForm):
    class Meta:
        model = Image
        fields = ["file", "title", "alt_text", "caption", "credit", "focal_x", "focal_y"]
        error_messages = {
            "alt_text": {"required": "Describe the image for readers who cannot see it."},
            "file": {"required": "Choose an image file to upload."},
        }
        widgets = {
            "focal_x": forms.NumberInput(attrs={"min": 0, "max": 100, "step": 1}),
            "focal_y": forms.NumberInput(attrs={"min": 0, "max": 100, "step": 1}),
        }
