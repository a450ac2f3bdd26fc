"""OCI image pieces: content-addressed blobs, reproducible layers, JSON documents, archives."""
