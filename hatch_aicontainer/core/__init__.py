"""The ground floor besides ``oci``: one-line errors, faults and signals, atomic writes, progress."""
