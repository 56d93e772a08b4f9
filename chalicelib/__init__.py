"""The Student Register (Mokinių registras): application code packaged with the Chalice app."""
