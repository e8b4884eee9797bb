"""Setup commands: `flask --app voting init-db | create-user | seed-demo`.
Every command is idempotent and says what it did."""
import click
from flask.cli import with_appcontext
from flask import Flask, current_app
from sqlalchemy import select

from voting.extensions import db


def register_cli(app: Flask) -> None:
    app.cli.add_command(init_db_command)
    app.cli.add_command(create_user_command)
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(audit_mac_command)
    app.cli.add_command(sweep_timers_command)
    app.cli.add_command(check_casts_command)
    from voting.verification import cli as verification_cli

    app.cli.add_command(verification_cli.verify_command)


def upgrade_database() -> None:
    from flask_migrate import upgrade

    upgrade(directory=current_app.extensions["migrate"].directory)


@click.command("init-db")
@with_appcontext
@click.option("--body-name", default="本级人大常委会", help="顶级人大机构名称（首次创建时使用）")
@click.option("--body-level", default="county", type=click.Choice(["province", "city", "county", "township"]))
def init_db_command(body_name: str, body_level: str) -> None:
    """Create the secret key and installation keys once, upgrade the schema, create the top body."""
    from voting import write_secret_key
    from voting.accounts.services import ensure_top_body
    from voting.integrity.keys import ensure_keys

    click.echo("密钥: 已生成 instance/secret_key" if write_secret_key(current_app) else "密钥: secret_key 已存在")
    created = ensure_keys()
    click.echo(f"安装密钥: 已生成 {', '.join(created)}" if created else "安装密钥: 已存在")
    upgrade_database()
    click.echo("数据库: 已升级到最新版本")
    body, created_body = ensure_top_body(body_name, body_level)
    db.session.commit()
    click.echo(f"顶级机构: {'已创建' if created_body else '已存在'} {body.name}")


@click.command("create-user")
@with_appcontext
@click.argument("username")
@click.option("--role", required=True,
              type=click.Choice(["admin", "secretariat", "teller", "leader", "station", "department"]))
@click.option("--password", required=True)
@click.option("--body", "body_name", default=None, help="所属人大机构名称（默认为顶级机构）")
@click.option("--department", default=None, help="责任单位名称（role=department 时）")
def create_user_command(username, role, password, body_name, department) -> None:
    """Create a staff account, or update its role, body and password."""
    from voting.accounts.models import Body
    from voting.accounts.services import create_or_update_user, top_body

    if body_name:
        body = db.session.execute(select(Body).filter_by(name=body_name)).scalar_one_or_none()
        if body is None:
            raise click.ClickException(f"未找到人大机构：{body_name}")
    else:
        body = top_body()
        if body is None:
            raise click.ClickException("尚无人大机构，请先运行 flask --app voting init-db。")
    try:
        user, created = create_or_update_user(username, role, password, body=body, department=department)
    except ValueError as error:
        raise click.ClickException(str(error))
    db.session.commit()
    click.echo(f"用户 {user.username}（{role}，{body.name}）{'已创建' if created else '已更新'}")


@click.command("seed-demo")
@with_appcontext
@click.option("--password", default="demo-password", show_default=True)
@click.option("--if-empty", is_flag=True, help="仅当数据库中还没有任何账号时才生成")
def seed_demo_command(password: str, if_empty: bool) -> None:
    """Build the fictional demo: a city, two counties, four townships, rosters, stations, candidates."""
    from voting.accounts.models import User
    from voting.demo import DEMO_ACCOUNTS, seed_demo

    if if_empty and db.session.execute(select(User.id).limit(1)).first() is not None:
        click.echo(f"数据库中已有账号，跳过演示数据。演示账号 {' / '.join(DEMO_ACCOUNTS)}")
        return

    for line in seed_demo(password):
        click.echo(line)


@click.command("audit-mac")
@with_appcontext
def audit_mac_command() -> None:
    """Authenticate audit entries written before entries carried a MAC (migration
    d7f3b2a91c55), once, with instance/mac.key. Run it right after upgrading: an entry
    without a MAC is reported by `flask verify`. Entries whose chain hash does not
    hold are left alone (verify reports them)."""
    from voting.integrity import audit
    from voting.integrity.models import AuditEntry

    done = 0
    for entry in db.session.scalars(select(AuditEntry).where(AuditEntry.mac.is_(None)).order_by(AuditEntry.id)):
        if audit.entry_holds(entry):
            entry.mac = audit.entry_mac(entry.entry_hash)
            done += 1
    db.session.commit()
    click.echo(f"已为 {done} 条审计日志补写认证码。")


@click.command("sweep-timers")
@with_appcontext
def sweep_timers_command() -> None:
    """Close (or flag for the secretariat) every open ballot whose preset time has run out.
    The live hub does this while anyone watches a meeting; cron may run this for the rest."""
    from voting.ballots.timers import clock, sweep_timers

    done = sweep_timers(clock())
    for ballot_id, action in done:
        click.echo(f"表决 {ballot_id}: {'已自动结束' if action == 'closed' else '已提示秘书处结束'}")
    click.echo(f"处理了 {len(done)} 项到时的表决")


@click.command("check-casts")
@with_appcontext
@click.option("--follow", is_flag=True, help="一直运行，随到随核验（gunicorn 启动时自动运行）")
@click.option("--part", default=0, type=click.IntRange(min=0), help="本进程负责的部分（0 起）")
@click.option("--parts", default=1, type=click.IntRange(min=1), help="核验进程的总数")
def check_casts_command(follow: bool, part: int, parts: int) -> None:
    """Check the proofs of encrypted casts stored unchecked (CAST_CHECK = "queued";
    voting.tellers.checking). Without --follow: every pending cast once, then exit."""
    from voting.tellers import checking

    if part >= parts:
        raise click.BadParameter(f"--part 须小于 --parts（{parts}）", param_hint="--part")
    if follow:
        click.echo(f"核验进程 {part + 1}/{parts}：等待待核验的加密选票")
        checking.follow(part=part, parts=parts, echo=click.echo)
        return
    checked, failed = checking.check_pending(part=part, parts=parts)
    click.echo(f"核验了 {checked} 张加密选票，其中 {failed} 张未通过")
