"""The demo district: a realistic, deterministic data set for trying the system out."""
