"""Keys and signatures: ECDSA P-256 keys (cosign and PKCS#8 formats), DSSE envelopes, sigstore bundles."""
