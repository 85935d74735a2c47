"""Query results straight into pandas: the rows of a report are read once, as plain tuples.

SQLAlchemy builds a Row object per row; for the 50,000-row attribute tables of a district
report that costs more than the query. Here the statement is compiled with its (integer and
text) parameters rendered by the dialect and run in the session's transaction; the rows are
fetched from the DBAPI cursor itself. It still goes through SQLAlchemy's execution, so event
listeners (statement counting, logging) see every statement.
"""
from __future__ import annotations

from typing import Sequence

import pandas as pd
from sqlalchemy.sql import Select

from crm.db import db


def read_frame(stmt: Select, columns: Sequence[str], dates: Sequence[str] = ()) -> pd.DataFrame:
    """The statement's rows as a DataFrame; `dates` become datetime64 (NaT for NULL)."""
    connection = db.session.connection()
    sql = str(stmt.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True}))
    result = connection.exec_driver_sql(sql)
    try:
        rows = result.cursor.fetchall()
    finally:
        result.close()
    frame = pd.DataFrame.from_records(rows, columns=list(columns), coerce_float=False)
    if frame.empty:
        frame = pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    for column in dates:
        frame[column] = pd.to_datetime(frame[column]).astype("datetime64[ns]")
    return frame
