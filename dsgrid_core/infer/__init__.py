"""Guessing configs from what a user has: the dimension type and record class from a records
table and records from a data column (infer.dimension), a mapping skeleton from two
dimensions' records (infer.mapping), a whole dataset.json5 from a data table (infer.dataset).
Every guess says why (infer.guess.Guess), so a form can show it and the user can correct it;
nothing here registers anything."""
