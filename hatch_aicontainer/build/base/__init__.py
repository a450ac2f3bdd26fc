"""The base image: where it comes from (``resolve``), its file system (``filesystem``), its Python (``python``) and its interpreter run on the build host (``interpreter``)."""
