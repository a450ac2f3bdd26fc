"""Attestations: in-toto statements (SLSA provenance, the SBOM, the image signature) and the OCI referrer manifests that carry them."""
