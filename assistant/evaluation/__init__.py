"""The eval suite: datasets, an independent support judge, metrics, reports."""
