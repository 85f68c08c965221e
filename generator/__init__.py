"""specgen: YAML specs of exchange REST endpoints -> typed, vendorable Python packages.

Data flows one way: load (loader) -> validate (validate) -> model (model) -> render (render)
-> format (formatting) -> plan of path -> bytes (pipeline) -> disk or diff (output).
"""
