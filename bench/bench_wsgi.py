"""The app as gunicorn serves it in production, plus a hello-world baseline, for bench/pages_bench.py.

`/bench/hello` runs the app's own request hooks and nothing else (no SQL, no template): the
page figures are ratios to it, so they compare across machines and hours. It exists only in
this benchmark entry point, never in wsgi.py.
"""
import os

from crm import create_app

app = create_app(CRM_TODAY=os.environ.get("BENCH_TODAY") or None)


@app.route("/bench/hello")
def bench_hello():
    return "hello"
