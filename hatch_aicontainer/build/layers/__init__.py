"""The layers the build writes above the base: dependencies, bytecode, include files, the SBOM."""
