"""`python -m voting.rules CASES.json [--emit]`: see voting.rules.cases."""
from voting.rules.cases import main

if __name__ == "__main__":
    raise SystemExit(main())
