"""The peer system, django-helpdesk 2.6, run side by side with Kefu (see `bench/README.md`).

Everything in this folder runs in the peer's own virtual environment (`var/helpdesk-peer/venv`),
never in Kefu's: `settings.py`/`urls.py` are a minimal project around the `helpdesk` app, `tool.py`
loads tickets and prepares the load client's fixture.
"""
