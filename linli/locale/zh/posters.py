# ruff: noqa: E501  (translations read best one per line)
"""Chinese for the photo-upload messages in linli/lib/images.py (posters.py has no translated strings)."""

ZH = {
    "The photo is larger than %(limit)s. Please choose a smaller photo.": "照片超过 %(limit)s，请选择小一些的照片。",
    "Animated images cannot be used. Please choose a still photo in JPEG, PNG or WebP.": "不能使用动图，请选择 JPEG、PNG 或 WebP 格式的静态照片。",
    "HEIC photos (the iPhone default) cannot be read here. Please choose a JPEG photo, or set the iPhone camera to “Most Compatible” (Settings › Camera › Formats).": "暂时无法读取 HEIC 格式的照片（苹果手机默认格式）。请选择 JPEG 照片，或在苹果手机“设置 › 相机 › 格式”中选择“兼容性最佳”。",
    "%(format)s images cannot be used. Please choose a JPEG, PNG or WebP image.": "不支持 %(format)s 格式的图片，请选择 JPEG、PNG 或 WebP 格式的图片。",
    "This file is not a photo. Please choose a JPEG, PNG or WebP image.": "此文件不是照片，请选择 JPEG、PNG 或 WebP 格式的图片。",
    "The photo could not be read; the file may be damaged. Please choose another photo.": "无法读取这张照片，文件可能已损坏，请换一张照片。",
    "The picture is too large (%(width)s × %(height)s pixels). Please choose a photo of at most %(megapixels)s megapixels.": "图片尺寸过大（%(width)s × %(height)s 像素），请选择不超过 %(megapixels)s 百万像素的照片。",
    "The picture is too large. Please choose a photo of at most %(megapixels)s megapixels.": "图片尺寸过大，请选择不超过 %(megapixels)s 百万像素的照片。",
}
