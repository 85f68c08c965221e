"""The emitters: render the model with Jinja2, derive schemas and cases, format, plan, write."""
