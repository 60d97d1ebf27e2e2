"""What the image tests share."""


def change_data(image, **changes) -> dict:
    data = {
        "title": image.title,
        "alt_text": image.alt_text,
        "caption": image.caption,
        "credit": image.credit,
        "focal_x": str(image.focal_x),
        "focal_y": str(image.focal_y),
    }
    data.update(changes)
    return data
