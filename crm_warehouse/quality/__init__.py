"""Great Expectations checks of the built warehouse (``python -m crm_warehouse.quality``)."""
