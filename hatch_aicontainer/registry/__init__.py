"""The OCI distribution API: ``client`` (:class:`RegistryClient`), over ``transport`` (HTTP, TLS,
retries), ``auth`` (challenges) and ``credentials`` (where they come from); ``reference`` (image
references) and ``blob_sources`` (digest-checked blobs to upload). Import from the modules: this
package imports none of them, so importing one does not load the HTTP client."""
