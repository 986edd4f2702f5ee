"""Reading input files and storing dataset tables as Parquet."""
