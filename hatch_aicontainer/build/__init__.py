"""One image build: the base image (``base``), the dependencies (``deps``), the layers (``layers``), then the platform images, the index and the archive (``image``)."""
