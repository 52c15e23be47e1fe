"""Python side of the CRM warehouse: the source-data generator and the data-quality checks."""
