"""The one error type a user sees for bad input: it names the file, the place and the rule."""

from __future__ import annotations


class SpecError(Exception):
    """Bad input: a spec, the configuration, a template. Printed as one line; exit code 2."""

    def __init__(self, file: str, line: int | None, rule: str, message: str) -> None:
        self.file = file
        self.line = line
        self.rule = rule
        self.message = message
        super().__init__(self.render())

    def render(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: [{self.rule}] {self.message}"


class SpecErrors(Exception):
    """Several SpecErrors at once, so that a user fixes them in one pass."""

    def __init__(self, errors: list[SpecError]) -> None:
        self.errors = errors
        super().__init__("\n".join(e.render() for e in errors))
