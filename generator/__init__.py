"""django-dockerfile: detect a Django project from its files and write a production Dockerfile."""

__version__ = "0.1.0"
