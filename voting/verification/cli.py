"""`flask --app voting verify`: recompute and check everything stored."""
import click
from flask.cli import with_appcontext

from voting.extensions import db


@click.command("verify")
@with_appcontext
@click.option("--ballot", "ballot_id", default=None, help="只核验指定表决的编号")
def verify_command(ballot_id) -> None:
    """Check the audit chain, every tally signature and recount; exit 1 on any mismatch."""
    from voting.verification.checks import run_checks

    problems = run_checks(ballot_id=ballot_id, echo=click.echo)
    db.session.rollback()
    if problems:
        for problem in problems:
            click.echo(f"不符: {problem}")
        raise SystemExit(1)
    click.echo("核验通过：未发现任何不符。")
